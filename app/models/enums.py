"""Closed vocabularies stored as short strings with CHECK constraints."""

from enum import StrEnum


class YearStatus(StrEnum):
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
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    TRANSFER = "transfer"


def sql_in(enum: type[StrEnum], column: str) -> str:
    """A CHECK expression accepting exactly the enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"
