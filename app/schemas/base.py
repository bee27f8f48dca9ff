"""Shared schema bases and reusable annotated field types."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Annotated, Any, Generic, TypeVar, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def format_decimal(value: Decimal) -> str:
    """Plain positional notation without trailing zeros beyond what the value needs (for
    messages and texts; response fields use format_score, format_index or format_mean)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _plain(value: Decimal) -> str:
    """Positional notation; a zero is never signed ("-0.00" would read as a deduction)."""
    return format(value.copy_abs() if value.is_zero() else value, "f")


# The response formats below depend on a value only, never on how it is written (87.2 and
# 87.20 give the same text), so equal decimals share one cached text: a ranking of a thousand
# units writes a handful of figures each, from a few thousand distinct values at most.
@lru_cache(maxsize=16384, typed=True)
def format_score(value: Decimal) -> str:
    """A score, total or maximum: two decimals, more only where the value has them (leaf
    scores are kept to four): 100 → "100.00", 91.3 → "91.30", 1.2345 → "1.2345"."""
    whole, _, fraction = _plain(value).partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


@lru_cache(maxsize=16384, typed=True)
def format_index(value: Decimal) -> str:
    """An index (or percentage) always shows two decimals, as the province publishes it."""
    return _plain(value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


@lru_cache(maxsize=16384, typed=True)
def format_mean(value: Decimal) -> str:
    """A group mean, kept to four decimals rather than the published two: "8.2989"."""
    return _plain(value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP))


def with_examples(*examples: Any) -> ConfigDict:
    """A model config that documents these examples in the OpenAPI document (as JSON)."""
    return ConfigDict(json_schema_extra={"examples": cast(list[JsonValue], list(examples))})


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


def _date_text(value: object) -> object:
    # Pydantic would read the number 0 as 1970-01-01 (unix time); a date here is "YYYY-MM-DD".
    if isinstance(value, int | float) and not isinstance(value, bool):
        # The error type names the catalogue's wording (app/core/validation_messages.py).
        raise PydanticCustomError("date_text", "a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_date_text)]
# Scores travel as decimal strings so no client ever sees a binary float; numbers are accepted.
# The documented string pattern says what the digit limits accept (pydantic documents any string).
SCORE_TEXT = r"^[0-9]{1,6}(\.[0-9]{1,4})?$"
INDEX_TEXT = r"^[0-9]{1,3}(\.[0-9]{1,2})?$"
ScoreIn = Annotated[
    Decimal,
    Field(ge=0, max_digits=10, decimal_places=4),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 999999.9999},
                {"type": "string", "pattern": SCORE_TEXT, "examples": ["1.28"]},
            ]
        },
        mode="validation",
    ),
]
# Numbers in responses, as strings of a fixed form that each type's pattern documents.
SCORE_OUT_TEXT = r"^-?[0-9]+\.[0-9]{2,4}$"
TWO_DECIMALS_TEXT = r"^-?[0-9]+\.[0-9]{2}$"
FOUR_DECIMALS_TEXT = r"^-?[0-9]+\.[0-9]{4}$"


def _decimal_text(pattern: str, example: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": pattern, "examples": [example]}, mode="serialization"
    )


ScoreOut = Annotated[
    Decimal,
    PlainSerializer(format_score, return_type=str, when_used="json"),
    _decimal_text(SCORE_OUT_TEXT, "8.14"),
]
IndexIn = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=6, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": INDEX_TEXT, "examples": ["87.21"]},
            ]
        },
        mode="validation",
    ),
]
IndexOut = Annotated[
    Decimal,
    PlainSerializer(format_index, return_type=str, when_used="json"),
    _decimal_text(TWO_DECIMALS_TEXT, "87.21"),
]
# A share of a maximum in percent, rounded half-up to two decimals like the index.
PercentOut = Annotated[
    Decimal,
    PlainSerializer(format_index, return_type=str, when_used="json"),
    _decimal_text(TWO_DECIMALS_TEXT, "85.33"),
]
# Group means (and gaps to them) keep four decimals: rounding them to two would make the
# units' points look further from or closer to the mean than they are.
MeanOut = Annotated[
    Decimal,
    PlainSerializer(format_mean, return_type=str, when_used="json"),
    _decimal_text(FOUR_DECIMALS_TEXT, "8.2989"),
]

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

# The largest value an INTEGER column holds (PostgreSQL's int4; SQLite refuses ints past int64).
# Ids, revisions and offsets are capped here so a huge number is a 422, not a driver error.
DB_INT_MAX = 2**31 - 1

ItemT = TypeVar("ItemT")


def examples_of(model: type[BaseModel]) -> list[Any]:
    """The examples a model documents in its `json_schema_extra` (none if it has none)."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return list(examples) if isinstance(examples, list) else []


def _page_examples(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A page's example holds its item model's first example."""
    for cls in model.__mro__:
        args = getattr(cls, "__pydantic_generic_metadata__", {}).get("args", ())
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            items = examples_of(args[0])[:1]
            schema["examples"] = [{"items": items, "total": 62, "limit": 50, "offset": 0}]
            return


class Page(ApiModel, Generic[ItemT]):
    """One page of a list: the items, and the count of all matches for the pager.

    Subclass it per item (`class UnitPage(Page[UnitRead])`) so the OpenAPI document and
    generated clients get a readable name rather than `Page_UnitRead_`.
    """

    model_config = ConfigDict(json_schema_extra=_page_examples)

    items: list[ItemT] = Field(description="This page's items, at most `limit` of them.")
    total: int = Field(ge=0, description="How many items match in all, across every page.")
    limit: int = Field(ge=1, description="The page size asked for (`?limit`).")
    offset: int = Field(ge=0, description="How many matching items come before this page.")
