"""Rankings, breakdowns, improvement lists and histories at the HTTP edge."""

from typing import Any, Literal

from pydantic import Field

from app.core.i18n import Language
from app.models.enums import ScoringMethod
from app.schemas.base import ApiModel, IndexOut, ScoreOut, with_examples

IndexBasis = Literal["leaf_scores", "published_index", "published_rank", "none"]


def _ref(code: str, name_vi: str, name_en: str) -> dict[str, str]:
    return {"code": code, "name": name_vi, "name_vi": name_vi, "name_en": name_en}


DEPARTMENTS = _ref("department", "Sở, ban, ngành", "Departments, branches and sectors")
HOME_AFFAIRS = _ref("LD-DEP-HOME-AFFAIRS", "Sở Nội vụ", "Department of Home Affairs")
HEALTH = _ref("LD-DEP-HEALTH", "Sở Y tế", "Department of Health")
DEMO_DEPARTMENTS = _ref("demo-department", "Demo – Sở, ban, ngành", "Demo – departments")
DEMO_HEALTH = _ref("DEMO-DEP-HEALTH", "Demo Sở Y tế", "Demo Department of Health")
DEMO_PLANNING = _ref(
    "DEMO-DEP-PLANNING", "Demo Sở Kế hoạch và Đầu tư", "Demo Department of Planning and Investment"
)
FAIR = {"label": "Khá", "label_vi": "Khá", "label_en": "Fair"}
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


def _published(index: str, rank: int | None, position: str | None = None) -> dict[str, Any]:
    return {
        "index": index,
        "rank": rank,
        "position": position,
        "band_vi": None,
        "source": "lamdong-2024",
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


UNIT_ORDER = "Leaves by points lost, largest first; then by lowest attainment; then by code."
GROUP_ORDER = (
    "lowest_units: the N lowest indices, lowest first; weakest_criteria: leaves by lowest mean "
    "attainment across the group's scored units, then by code."
)
HEALTH_POSITION = "among the three lowest; tied with Natural Resources and Environment"
HOME_AFFAIRS_ENTRY = _entry(HOME_AFFAIRS, 1, "92.96", _published("92.96", 1))
HEALTH_ENTRY = _entry(HEALTH, 4, "87.21", _published("87.21", None, HEALTH_POSITION), tie_size=2)
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
LEAF_2_3 = {
    "code": "2.3",
    "name": "Theo dõi thi hành pháp luật",
    "name_vi": "Theo dõi thi hành pháp luật",
    "name_en": "Monitoring of law enforcement",
    "field_code": "2",
    "method": "appraisal",
    "unit_controls": True,
    "max_score": "3",
    "score": "1.8",
    "points_lost": "1.2",
    "attainment_pct": "60",
    "group_mean": "2.4947",
    "group_best": "3",
    "gap_to_mean": "0.6947",
    "gap_to_best": "1.2",
}

NODE_1 = {
    "code": "1",
    "parent_code": None,
    "depth": 1,
    "is_leaf": False,
    "name": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "name_vi": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "name_en": "Direction and administration of administrative reform",
    "method": None,
    "max_score": "9.5",
    "score": "8.14",
    "self_score": "8.79",
    "attainment_pct": "85.68",
    "points_lost": "1.36",
    "group_mean": "8.2989",
    "group_best": "9.22",
    "rank": 14,
}
NODE_1_1 = {
    "code": "1.1",
    "parent_code": "1",
    "depth": 2,
    "is_leaf": True,
    "name": "Kế hoạch cải cách hành chính năm",
    "name_vi": "Kế hoạch cải cách hành chính năm",
    "name_en": "Annual administrative reform plan",
    "method": "appraisal",
    "max_score": "1.5",
    "score": "1.28",
    "self_score": "1.31",
    "attainment_pct": "85.33",
    "points_lost": "0.22",
    "group_mean": "1.3058",
    "group_best": "1.47",
    "rank": 10,
}
NEXT_RANK = {
    "unit": DEMO_PLANNING,
    "rank": 12,
    "index": "84.05",
    "index_points_needed": "0.48",
    "total_points_needed": "0.475",
}
WEAK_FIELD = {
    "code": "2",
    "name": "Cải cách thể chế",
    "attainment_pct": "69.3",
    "points_lost": "3.07",
}
WEAK_UNIT = {
    "rank": 19,
    "unit": _ref(
        "DEMO-DEP-INDUSTRY", "Demo Sở Công Thương", "Demo Department of Industry and Trade"
    ),
    "index": "74.65",
    "weakest_fields": [WEAK_FIELD],
}
WEAK_CRITERION = {
    "code": "3.2.3",
    "name": "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "name_vi": "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "name_en": "Rate of digitised records and results",
    "method": "indicator",
    "unit_controls": True,
    "max_score": "1.5",
    "mean_score": "1.2247",
    "mean_attainment_pct": "81.65",
    "units_below_max": 18,
}
HEALTH_2024 = {
    "year": 2024,
    "unit": HEALTH,
    "relation": "self",
    "group": "department",
    "basis": "published_index",
    "index": "87.21",
    "rank": 4,
    "band": None,
    "published": _published("87.21", None, HEALTH_POSITION),
}


class LabelledRef(ApiModel):
    model_config = with_examples(HEALTH)

    code: str
    name: str = Field(description="Name in the language chosen by Accept-Language.")
    name_vi: str
    name_en: str


class BandRef(ApiModel):
    model_config = with_examples(FAIR)

    label: str
    label_vi: str
    label_en: str


class PublishedRead(ApiModel):
    """The unit's result as its source published it; null where nothing was published."""

    model_config = with_examples(_published("87.21", None, HEALTH_POSITION))

    index: IndexOut | None
    rank: int | None
    position: str | None
    band_vi: str | None
    source: str


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


class NodeBreakdownRead(ApiModel):
    model_config = with_examples(NODE_1_1)

    code: str
    parent_code: str | None
    depth: int
    is_leaf: bool
    name: str
    name_vi: str
    name_en: str
    method: ScoringMethod | None
    max_score: ScoreOut
    score: ScoreOut = Field(description="Final points; penalties count as negative.")
    self_score: ScoreOut | None = Field(description="Self-assessed points, where given.")
    attainment_pct: ScoreOut | None = Field(description="score / max × 100, two decimals.")
    points_lost: ScoreOut
    group_mean: ScoreOut | None
    group_best: ScoreOut | None
    rank: int | None = Field(description="The unit's competition rank in the group on this node.")


class BreakdownRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2023,
            "revision": 1,
            "language": "vi",
            "unit": DEMO_HEALTH,
            "group": DEMO_DEPARTMENTS,
            "rank": 13,
            "total": "83.58",
            "max_score": "100",
            "index": "83.58",
            "band": FAIR,
            "bonus": "0.5",
            "penalty": "0",
            "nodes": [NODE_1, NODE_1_1],
        }
    )

    year: int
    revision: int
    language: Language
    unit: LabelledRef
    group: LabelledRef
    rank: int | None
    total: ScoreOut
    max_score: ScoreOut
    index: IndexOut
    band: BandRef | None
    bonus: ScoreOut
    penalty: ScoreOut
    nodes: list[NodeBreakdownRead]


class LeafImprovementRead(ApiModel):
    model_config = with_examples(LEAF_2_3)

    code: str
    name: str
    name_vi: str
    name_en: str
    field_code: str
    method: ScoringMethod
    unit_controls: bool = Field(description="False for survey leaves, which the unit cannot fix.")
    max_score: ScoreOut
    score: ScoreOut
    points_lost: ScoreOut
    attainment_pct: ScoreOut
    group_mean: ScoreOut
    group_best: ScoreOut
    gap_to_mean: ScoreOut
    gap_to_best: ScoreOut


class NextRankRead(ApiModel):
    model_config = with_examples(NEXT_RANK)

    unit: LabelledRef
    rank: int
    index: IndexOut
    index_points_needed: IndexOut = Field(description="Index points to pass that unit.")
    total_points_needed: ScoreOut = Field(description="Total points to pass that unit.")


class UnitImprovementsRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2023,
            "revision": 1,
            "language": "vi",
            "unit": DEMO_HEALTH,
            "rank": 13,
            "index": "83.58",
            "order": UNIT_ORDER,
            "next_rank": NEXT_RANK,
            "leaves": [LEAF_2_3],
        }
    )

    year: int
    revision: int
    language: Language
    unit: LabelledRef
    rank: int | None
    index: IndexOut
    order: str
    next_rank: NextRankRead | None
    leaves: list[LeafImprovementRead]


class FieldWeaknessRead(ApiModel):
    model_config = with_examples(WEAK_FIELD)

    code: str
    name: str
    attainment_pct: ScoreOut
    points_lost: ScoreOut


class WeakUnitRead(ApiModel):
    model_config = with_examples(WEAK_UNIT)

    rank: int | None
    unit: LabelledRef
    index: IndexOut
    weakest_fields: list[FieldWeaknessRead]


class CriterionWeaknessRead(ApiModel):
    model_config = with_examples(WEAK_CRITERION)

    code: str
    name: str
    name_vi: str
    name_en: str
    method: ScoringMethod
    unit_controls: bool
    max_score: ScoreOut
    mean_score: ScoreOut
    mean_attainment_pct: ScoreOut
    units_below_max: int


class GroupImprovementsRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2023,
            "revision": 1,
            "language": "vi",
            "group": DEMO_DEPARTMENTS,
            "order": GROUP_ORDER,
            "lowest_units": [WEAK_UNIT],
            "weakest_criteria": [WEAK_CRITERION],
        }
    )

    year: int
    revision: int
    language: Language
    group: LabelledRef
    order: str
    lowest_units: list[WeakUnitRead]
    weakest_criteria: list[CriterionWeaknessRead]


class HistoryEntryRead(ApiModel):
    model_config = with_examples(HEALTH_2024)

    year: int
    unit: LabelledRef
    relation: Literal["self", "merge", "split", "rename", "transfer"]
    group: str
    basis: IndexBasis
    index: IndexOut | None
    rank: int | None
    band: BandRef | None
    published: PublishedRead | None


class HistoryRead(ApiModel):
    model_config = with_examples({"language": "vi", "unit": HEALTH, "entries": [HEALTH_2024]})

    language: Language
    unit: LabelledRef
    entries: list[HistoryEntryRead]
