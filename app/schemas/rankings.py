"""Rankings of a group in a year: entries with ties, the previous year, group statistics."""

from typing import Any

from pydantic import Field

from app.models.enums import YearStatus
from app.schemas.base import ApiModel, IndexOut, ScoreOut, with_examples
from app.schemas.coverage import (
    COVERAGE_DEPARTMENTS_2024,
    LOWEST_3,
    CoverageRead,
)
from app.schemas.results import (
    HEALTH,
    HEALTH_POSITION,
    BandRef,
    LabelledRef,
    PublishedRead,
    published_example,
    ref_example,
)
from app.schemas.vocabularies import (
    BandCounts,
    IndexBasis,
    Language,
    RankBasis,
    ReasonCode,
    Relation,
)

DEPARTMENTS = ref_example("department", "Sở, ban, ngành", "Departments, branches and sectors")
HOME_AFFAIRS = ref_example("LD-DEP-HOME-AFFAIRS", "Sở Nội vụ", "Department of Home Affairs")
# Examples in Vietnamese, the default language (the full wording: app/core/messages.toml).
RANKING_RULE = (
    "Xếp hạng theo chỉ số làm tròn đến hai chữ số thập phân (từ 5 trở lên làm tròn lên), bằng "
    "điểm thì đồng hạng và hạng kế tiếp được bỏ qua (1, 2, 2, 4). Các đơn vị đồng hạng được "
    "liệt kê theo mã đơn vị. …"
)
REASON_CODES = (
    "`same_unit`, `renamed` (comparable); `new`, `merged`, `split`, `transferred`, "
    "`many_to_many`, `no_assessment_year`, `no_results_for_group_in_year`, `not_published`, "
    "`no_previous_result`, `several_previous_results` (not comparable)"
)
NO_RESULTS_2023 = {
    "year": 2023,
    "comparable": False,
    "reason_code": "no_results_for_group_in_year",
    "reason": "nhóm của đơn vị này không có kết quả năm 2023",
    "results": [],
    "index": None,
    "rank": None,
    "rank_change": None,
    "index_change": None,
}


def _entry(
    unit: dict[str, str],
    rank: int | None,
    index: str,
    published: dict[str, Any],
    tie_size: int = 1,
) -> dict[str, Any]:
    return {
        "rank": rank,
        "rank_basis": None if rank is None else "published",
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
        "rank_disagrees": None,
        "index_disagrees": None,
        "previous": NO_RESULTS_2023,
    }


HOME_AFFAIRS_ENTRY = _entry(HOME_AFFAIRS, 1, "92.96", published_example("92.96", 1))
HEALTH_ENTRY = _entry(
    HEALTH, None, "87.21", published_example("87.21", None, HEALTH_POSITION, LOWEST_3), tie_size=2
)
STATISTICS_2024 = {
    "complete": False,
    "count": 6,
    "mean": None,
    "median": None,
    "min": None,
    "max": None,
    "band_counts": None,
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
            "rank": None,
        }
    )

    unit: LabelledRef
    relation: Relation
    effective_date: str | None
    index: IndexOut | None
    rank: int | None = Field(description="Its rank that year: published or computed, else null.")


class PreviousRead(ApiModel):
    """The previous assessment year's results of the unit and its recorded predecessors."""

    model_config = with_examples(NO_RESULTS_2023)

    year: int = Field(description="The year looked at: the one before.")
    comparable: bool
    reason_code: ReasonCode = Field(
        description=f"Why the result is comparable or not: {REASON_CODES}."
    )
    reason: str = Field(
        description="The reason in words, in the language chosen (`lang`, Accept-Language)."
    )
    results: list[PreviousResultRead]
    index: IndexOut | None = Field(description="Previous index, when comparable.")
    rank: int | None = Field(description="Previous rank, when comparable and real.")
    rank_change: int | None = Field(
        description=(
            "Previous rank − current rank, when comparable and both ranks are real (published "
            "or computed over a complete group): positive means the unit moved up."
        )
    )
    index_change: IndexOut | None = Field(
        description="Current index − previous index, when comparable and both are known."
    )


class RankingEntryRead(ApiModel):
    model_config = with_examples(HEALTH_ENTRY)

    rank: int | None = Field(
        description=(
            "Competition rank over a complete group, else the rank the source published; null "
            "when neither exists (see `coverage`)."
        )
    )
    rank_basis: RankBasis | None = Field(description="Where `rank` comes from.")
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
        description="True when a published rank exists and differs from the computed rank "
        "(a complete group only)."
    )
    index_disagrees: bool | None = Field(
        description="True when both a published and a computed index exist and differ."
    )
    previous: PreviousRead | None


class GroupStatisticsRead(ApiModel):
    """Statistics of the indices, computed only over a complete group (else withheld)."""

    model_config = with_examples(STATISTICS_2024)

    complete: bool = Field(
        description="True when the figures cover every unit of the group; else they are null."
    )
    count: int = Field(description="Units with an index (in a partial group: those listed).")
    mean: IndexOut | None
    median: IndexOut | None
    min: IndexOut | None
    max: IndexOut | None
    band_counts: BandCounts | None = Field(description="Units per band; null when withheld.")


class PublishedSummaryRead(ApiModel):
    model_config = with_examples(SUMMARY_2024)

    unit_count: int | None
    band_counts: BandCounts | None
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
            "coverage": COVERAGE_DEPARTMENTS_2024,
            "entries": [HOME_AFFAIRS_ENTRY, HEALTH_ENTRY],
            "statistics": STATISTICS_2024,
            "published_summary": SUMMARY_2024,
        }
    )

    year: int
    status: YearStatus
    revision: int = Field(description="Published revision shown (0 while the year is a draft).")
    language: Language
    group: LabelledRef
    criterion: LabelledRef | None
    rule: str = Field(
        description="The ranking rule in words, in the language chosen (`lang`, Accept-Language)."
    )
    max_score: ScoreOut | None
    coverage: CoverageRead
    entries: list[RankingEntryRead]
    statistics: GroupStatisticsRead
    published_summary: PublishedSummaryRead | None
