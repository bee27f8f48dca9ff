"""Rankings of a group in a year: entries with ties, the previous year, group statistics."""

from typing import Any, Literal

from pydantic import Field

from app.core.i18n import Language
from app.schemas.base import ApiModel, IndexOut, ScoreOut, with_examples
from app.schemas.results import (
    HEALTH,
    HEALTH_POSITION,
    BandRef,
    IndexBasis,
    LabelledRef,
    PublishedRead,
    published_example,
    ref_example,
)

DEPARTMENTS = ref_example("department", "Sở, ban, ngành", "Departments, branches and sectors")
HOME_AFFAIRS = ref_example("LD-DEP-HOME-AFFAIRS", "Sở Nội vụ", "Department of Home Affairs")
RANKING_RULE = (
    "Standard competition ranking on the index rounded half-up to two decimals: equal indices "
    "share a rank and the next rank skips (1, 2, 2, 4). Within a tie units are listed by code."
)
NOT_COMPARABLE = {
    "year": 2023,
    "comparable": False,
    "reason": "no previous-year result for this unit or a recorded predecessor",
    "results": [],
    "index": None,
    "rank": None,
    "rank_change": None,
}


def _entry(
    unit: dict[str, str], rank: int, index: str, published: dict[str, Any], tie_size: int = 1
) -> dict[str, Any]:
    return {
        "rank": rank,
        "tied": tie_size > 1,
        "tie_size": tie_size,
        "unit": unit,
        "basis": "published_index",
        "value": index,
        "index": index,
        "total": None,
        "max_score": None,
        "missing_leaves": 0,
        "band": None,
        "published": published,
        "rank_disagrees": None if published["rank"] is None else False,
        "index_disagrees": None,
        "previous": NOT_COMPARABLE,
    }


HOME_AFFAIRS_ENTRY = _entry(HOME_AFFAIRS, 1, "92.96", published_example("92.96", 1))
HEALTH_ENTRY = _entry(
    HEALTH, 4, "87.21", published_example("87.21", None, HEALTH_POSITION), tie_size=2
)
STATISTICS_2024 = {
    "count": 6,
    "mean": "89.58",
    "median": "89.28",
    "min": "86.29",
    "max": "92.96",
    "band_counts": {},
}
SUMMARY_2024 = {
    "unit_count": None,
    "band_counts": None,
    "note": "Top three and bottom three were published; the size of the group was not.",
    "source": "lamdong-2024",
}


class PreviousResultRead(ApiModel):
    model_config = with_examples(
        {
            "unit": HEALTH,
            "relation": "self",
            "effective_date": None,
            "index": "87.21",
            "rank": 4,
        }
    )

    unit: LabelledRef
    relation: Literal["self", "merge", "split", "rename", "transfer"]
    effective_date: str | None
    index: IndexOut | None
    rank: int | None


class PreviousRead(ApiModel):
    model_config = with_examples(NOT_COMPARABLE)

    year: int
    comparable: bool
    reason: str | None = Field(description="Why no rank change is stated, when it is not.")
    results: list[PreviousResultRead]
    index: IndexOut | None = Field(description="Previous index, when comparable.")
    rank: int | None = Field(description="Previous rank, when comparable.")
    rank_change: int | None = Field(
        description="Previous rank − current rank: positive means the unit moved up."
    )


class RankingEntryRead(ApiModel):
    model_config = with_examples(HEALTH_ENTRY)

    rank: int | None = Field(description="Competition rank; null when the unit cannot be ranked.")
    tied: bool
    tie_size: int
    unit: LabelledRef
    basis: IndexBasis = Field(description="Where the index comes from.")
    value: ScoreOut | None = Field(
        description="What is ranked: the index, or the criterion's points with ?criterion."
    )
    index: IndexOut | None
    total: ScoreOut | None
    max_score: ScoreOut | None
    missing_leaves: int = Field(description="Leaves without a final score (counted as 0).")
    band: BandRef | None
    published: PublishedRead | None
    rank_disagrees: bool | None = Field(
        description="True when a published rank exists and differs from the computed rank."
    )
    index_disagrees: bool | None = Field(
        description="True when both a published and a computed index exist and differ."
    )
    previous: PreviousRead | None


class GroupStatisticsRead(ApiModel):
    model_config = with_examples(STATISTICS_2024)

    count: int
    mean: IndexOut | None
    median: IndexOut | None
    min: IndexOut | None
    max: IndexOut | None
    band_counts: dict[str, int]


class PublishedSummaryRead(ApiModel):
    model_config = with_examples(SUMMARY_2024)

    unit_count: int | None
    band_counts: dict[str, int] | None
    note: str | None
    source: str


class RankingRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2024,
            "status": "published",
            "revision": 1,
            "language": "vi",
            "group": DEPARTMENTS,
            "criterion": None,
            "rule": RANKING_RULE,
            "max_score": None,
            "entries": [HOME_AFFAIRS_ENTRY, HEALTH_ENTRY],
            "statistics": STATISTICS_2024,
            "published_summary": SUMMARY_2024,
        }
    )

    year: int
    status: str
    revision: int = Field(description="Published revision shown (0 while the year is a draft).")
    language: Language
    group: LabelledRef
    criterion: LabelledRef | None
    rule: str
    max_score: ScoreOut | None
    entries: list[RankingEntryRead]
    statistics: GroupStatisticsRead
    published_summary: PublishedSummaryRead | None
