"""Shared schema bases and reusable annotated field types."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

TWO_PLACES = Decimal("0.01")


def format_decimal(value: Decimal) -> str:
    """Plain positional notation without trailing zeros beyond what the value needs."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_index(value: Decimal) -> str:
    """An index always shows two decimals, as the province publishes it."""
    return format(value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP), "f")


class ApiModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ApiInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Year = Annotated[int, Field(ge=2000, le=2100, description="Assessment year, e.g. 2024.")]
Code = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
]
CriterionCode = Annotated[
    str,
    StringConstraints(max_length=32, pattern=r"^[1-9][0-9]*(\.[1-9][0-9]*)*$"),
    Field(description='Hierarchical code: "3" is a field, "3.2" a criterion, "3.2.1" a leaf.'),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# Scores travel as decimal strings so no client ever sees a binary float; numbers are accepted.
ScoreIn = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=4)]
ScoreOut = Annotated[Decimal, PlainSerializer(format_decimal, return_type=str, when_used="json")]
IndexIn = Annotated[Decimal, Field(ge=0, max_digits=6, decimal_places=2)]
IndexOut = Annotated[Decimal, PlainSerializer(format_index, return_type=str, when_used="json")]

CorrectionReason = Annotated[
    str | None,
    Field(
        min_length=3,
        max_length=2000,
        description=(
            "Required to change a published year: the change becomes a correction with this "
            "reason and a new revision; earlier revisions stay retrievable."
        ),
    ),
]

ItemT = TypeVar("ItemT")


class Page(ApiModel, Generic[ItemT]):
    """One page of a list: items plus the total matching count for the pager."""

    items: list[ItemT]
    total: int
    limit: int
    offset: int
