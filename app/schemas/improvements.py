"""Improvement lists: a unit's lowest-scoring leaves and next rank, a group's weakest points."""

from pydantic import Field

from app.models.enums import ScoringMethod
from app.schemas.base import ApiModel, IndexOut, MeanOut, PercentOut, ScoreOut, with_examples
from app.schemas.coverage import COVERAGE_COMPUTED, CoverageRead
from app.schemas.results import DEMO_DEPARTMENTS, DEMO_HEALTH, LabelledRef, ref_example
from app.schemas.vocabularies import Language

DEMO_PLANNING = ref_example(
    "DEMO-DEP-PLANNING", "Demo Sở Kế hoạch và Đầu tư", "Demo Department of Planning and Investment"
)
# Examples in Vietnamese, the default language (the full wording: app/core/messages.toml).
UNIT_ORDER = (
    "Các tiêu chí thành phần theo số điểm bị mất, mất nhiều nhất trước; tiếp đến tỷ lệ đạt thấp "
    "nhất; sau cùng là mã tiêu chí. …"
)
GROUP_ORDER = (
    "lowest_units: N đơn vị có chỉ số thấp nhất, thấp nhất trước; weakest_criteria: các tiêu chí "
    "thành phần theo tỷ lệ đạt trung bình thấp nhất của nhóm, rồi theo mã. …"
)
LEAF_2_3 = {
    "code": "2.3",
    "name": "Theo dõi thi hành pháp luật",
    "name_vi": "Theo dõi thi hành pháp luật",
    "name_en": "Monitoring of law enforcement",
    "field_code": "2",
    "method": "appraisal",
    "unit_controls": True,
    "max_score": "3.00",
    "score": "1.80",
    "points_lost": "1.20",
    "attainment_pct": "60.00",
    "group_mean": "2.4947",
    "group_best": "3.00",
    "gap_to_mean": "0.6947",
    "gap_to_best": "1.20",
}
NEXT_RANK = {
    "unit": DEMO_PLANNING,
    "rank": 12,
    "index": "84.05",
    "max_score": "100.00",
    "index_points_needed": "0.47",
    "total_points_needed": "0.465",
    "index_points_to_pass": "0.48",
    "total_points_to_pass": "0.475",
}
WEAK_FIELD = {
    "code": "2",
    "name": "Cải cách thể chế",
    "attainment_pct": "69.30",
    "points_lost": "3.07",
}
WEAK_UNIT = {
    "rank": 19,
    "unit": ref_example(
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
    "max_score": "1.50",
    "mean_score": "1.2247",
    "mean_attainment_pct": "81.65",
    "units_below_max": 18,
}


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
    attainment_pct: PercentOut | None = Field(description="score / max × 100; null when max is 0.")
    group_mean: MeanOut | None = Field(
        description="The group's mean on the leaf, to four decimals; null unless every unit has "
        "leaf scores."
    )
    group_best: ScoreOut | None = Field(
        description="The group's best on the leaf; null unless every unit has leaf scores."
    )
    gap_to_mean: MeanOut | None = Field(
        description="group_mean − score, to four decimals; null with group_mean."
    )
    gap_to_best: ScoreOut | None


class NextRankRead(ApiModel):
    """The smallest improvement that raises the unit's rank: equalling the index of the unit
    just above already gives its (shared) rank under competition ranking."""

    model_config = with_examples(NEXT_RANK)

    unit: LabelledRef = Field(description="The unit just above (the first by code of a tie).")
    rank: int = Field(description="Its rank: the rank the unit reaches by equalling its index.")
    index: IndexOut
    max_score: ScoreOut = Field(description="The unit's own scale: its criteria set's maximum.")
    index_points_needed: IndexOut = Field(
        description="Index points that raise the unit's rank (reaching the index above)."
    )
    total_points_needed: ScoreOut = Field(
        description="The same on the unit's own scale: points of total, to 0.0001."
    )
    index_points_to_pass: IndexOut = Field(
        description="Index points to rank strictly above that unit (0.01 more)."
    )
    total_points_to_pass: ScoreOut = Field(
        description="Points of total to rank strictly above that unit."
    )


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
            "coverage": COVERAGE_COMPUTED,
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
    order: str = Field(
        description="The order in words, in the language chosen (`lang`, Accept-Language)."
    )
    coverage: CoverageRead = Field(description="The coverage of the unit's group that year.")
    next_rank: NextRankRead | None = Field(
        description="Null at the top, and where ranks are not computed (a partial group)."
    )
    leaves: list[LeafImprovementRead]


class FieldWeaknessRead(ApiModel):
    model_config = with_examples(WEAK_FIELD)

    code: str
    name: str
    attainment_pct: PercentOut
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
    mean_score: MeanOut = Field(
        description="The mean of the group's scored units on the leaf, to four decimals."
    )
    mean_attainment_pct: PercentOut = Field(
        description="Σ score / (units × max) × 100, rounded half-up once to two decimals."
    )
    units_below_max: int


class GroupImprovementsRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2023,
            "revision": 1,
            "language": "vi",
            "group": DEMO_DEPARTMENTS,
            "order": GROUP_ORDER,
            "coverage": COVERAGE_COMPUTED,
            "lowest_units": [WEAK_UNIT],
            "weakest_criteria": [WEAK_CRITERION],
        }
    )

    year: int
    revision: int
    language: Language
    group: LabelledRef
    order: str = Field(
        description="The order in words, in the language chosen (`lang`, Accept-Language)."
    )
    coverage: CoverageRead
    lowest_units: list[WeakUnitRead] = Field(
        description="Empty unless ranks are computed over the complete group (`coverage`)."
    )
    weakest_criteria: list[CriterionWeaknessRead] = Field(
        description="Empty unless every unit of the group has leaf scores (`coverage`)."
    )
