"""Closed vocabularies stored as short strings with CHECK constraints."""

from enum import StrEnum


class YearStatus(StrEnum):
    """A draft is seen by editors and above only; a published year is frozen and public."""

    DRAFT = "draft"
    PUBLISHED = "published"


class ScoringMethod(StrEnum):
    """How a leaf criterion is scored; bonus adds to the total, penalty subtracts (capped)."""

    APPRAISAL = "appraisal"
    SURVEY = "survey"
    INDICATOR = "indicator"
    BONUS = "bonus"
    PENALTY = "penalty"


class LineageKind(StrEnum):
    """How a unit became another: merged into it, split from it, renamed, or part of it
    transferred (merge, split and transfer change its scope; a rename keeps its history)."""

    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    TRANSFER = "transfer"


def sql_in(enum: type[StrEnum], column: str) -> str:
    """A CHECK expression accepting exactly the enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
