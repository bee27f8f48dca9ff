"""A unit's breakdown: its points, attainment and rank on every node of the criteria tree."""

from pydantic import Field

from app.models.enums import ScoringMethod
from app.schemas.base import ApiModel, IndexOut, MeanOut, PercentOut, ScoreOut, with_examples
from app.schemas.coverage import COVERAGE_COMPUTED, CoverageRead
from app.schemas.results import DEMO_DEPARTMENTS, DEMO_HEALTH, FAIR, BandRef, LabelledRef
from app.schemas.vocabularies import Language

NODE_1 = {
    "code": "1",
    "parent_code": None,
    "depth": 1,
    "is_leaf": False,
    "name": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "name_vi": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "name_en": "Direction and administration of administrative reform",
    "method": None,
    "max_score": "9.50",
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
    "max_score": "1.50",
    "score": "1.28",
    "self_score": "1.31",
    "attainment_pct": "85.33",
    "points_lost": "0.22",
    "group_mean": "1.3058",
    "group_best": "1.47",
    "rank": 10,
}


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
    attainment_pct: PercentOut | None = Field(
        description="score / max × 100, two decimals; null when max is 0."
    )
    points_lost: ScoreOut
    group_mean: MeanOut | None = Field(
        description="Mean points of the group's units, to four decimals; null unless every unit "
        "has leaf scores."
    )
    group_best: ScoreOut | None = Field(
        description="Best points in the group; null unless every unit has leaf scores."
    )
    rank: int | None = Field(
        description="The unit's competition rank in the group on this node; null unless every "
        "unit of the group has leaf scores (`coverage`)."
    )


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
            "max_score": "100.00",
            "index": "83.58",
            "band": FAIR,
            "bonus": "0.50",
            "penalty": "0.00",
            "coverage": COVERAGE_COMPUTED,
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
    coverage: CoverageRead = Field(description="The coverage of the unit's group that year.")
    nodes: list[NodeBreakdownRead]
