"""The RFC 9457 problem document every error response carries."""

from pydantic import BaseModel, Field

from app.core.config import DEFAULT_PUBLIC_URL
from app.schemas.base import with_examples


class ProblemItem(BaseModel):
    """One problem with the input."""

    model_config = with_examples(
        {"loc": ["body", "scores", 0, "final_score"], "msg": "Field required"}
    )

    loc: list[str | int] = Field(description="Where: body/path/query keys, or sheet/row/column.")
    msg: str = Field(description="What is wrong there.")


class ProblemRead(BaseModel):
    """An RFC 9457 problem document: the body of every error response."""

    model_config = with_examples(
        {
            "type": f"{DEFAULT_PUBLIC_URL}/problems/unit-not-found",
            "title": "Unit not found",
            "status": 404,
            "detail": "No unit with code 'LD-DEP-X'.",
        },
        {
            "type": f"{DEFAULT_PUBLIC_URL}/problems/invalid-request",
            "title": "Invalid request",
            "status": 422,
            "detail": "1 problem(s) in the request; see errors.",
            "errors": [
                {
                    "loc": ["body", "scores", 0, "final_score"],
                    "msg": "Input should be greater than or equal to 0",
                }
            ],
        },
    )

    type: str = Field(
        description="A URI naming the kind of problem: the page of this service that explains "
        "it (`/problems/<slug>`, HTML, or JSON with `Accept: application/json`).",
        examples=[f"{DEFAULT_PUBLIC_URL}/problems/unit-not-found"],
    )
    title: str = Field(description="A short summary of the kind.", examples=["Unit not found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="What went wrong this time.", examples=["No unit with code 'LD-DEP-X'."]
    )
    # Absent, never null, when the detail says it all: no default in the schema, or generated
    # types would call it always present.
    errors: list[ProblemItem] = Field(
        default_factory=list,
        description="Every problem with the input, where there are several; absent otherwise.",
    )
    # Absent, never null, on every problem but a refused import; a factory rather than a default,
    # since generators (openapi-typescript) type a property with a default as always present.
    summary_vi: str = Field(
        default_factory=str,
        description="A refused import: what was refused and its first problem, in Vietnamese.",
    )
    summary_en: str = Field(
        default_factory=str, description="A refused import: the same in English."
    )
