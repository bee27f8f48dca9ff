"""The RFC 9457 problem document every error response carries."""

from pydantic import BaseModel, Field


class ProblemItem(BaseModel):
    loc: list[str | int] = Field(description="Where: body/path/query keys, or sheet/row/column.")
    msg: str


class ProblemRead(BaseModel):
    type: str = Field(examples=["https://par-index.example/problems/unit-not-found"])
    title: str = Field(examples=["Unit not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No unit with code 'LD-DEP-X'."])
    errors: list[ProblemItem] | None = None
