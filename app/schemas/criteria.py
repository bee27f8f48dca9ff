"""Criteria sets (tree by codes) and bands at the HTTP edge."""

from pydantic import Field

from app.models.enums import ScoringMethod
from app.schemas.base import (
    ApiInput,
    ApiModel,
    CorrectionReason,
    CriterionCode,
    IndexIn,
    IndexOut,
    Name,
    ScoreIn,
    ScoreOut,
    with_examples,
)

FIELD_1 = {
    "code": "1",
    "name_vi": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "name_en": "Direction and administration of administrative reform",
    "max_score": "2.50",
}
LEAF_1_1 = {
    "code": "1.1",
    "name_vi": "Kế hoạch cải cách hành chính năm",
    "name_en": "Annual administrative reform plan",
    "max_score": "1.50",
    "method": "appraisal",
}
LEAF_1_2 = {
    "code": "1.2",
    "name_vi": "Báo cáo cải cách hành chính định kỳ",
    "name_en": "Periodic administrative reform reports",
    "max_score": "1.00",
    "method": "appraisal",
}
GOOD = {"label_vi": "Tốt", "label_en": "Good", "min_index": "90.00"}
FAIR = {"label_vi": "Khá", "label_en": "Fair", "min_index": "80.00"}


class CriterionIn(ApiInput):
    model_config = with_examples(LEAF_1_1)

    code: CriterionCode
    name_vi: str = Field(min_length=1, max_length=500)
    name_en: str = Field(min_length=1, max_length=500)
    max_score: ScoreIn = Field(description="Maximum points; for a penalty, the cap on deductions.")
    method: ScoringMethod | None = Field(
        default=None, description="Required on leaves, omitted on inner nodes."
    )


class BandIn(ApiInput):
    model_config = with_examples(GOOD)

    label_vi: Name = Field(examples=["Tốt"])
    label_en: Name = Field(examples=["Good"])
    min_index: IndexIn = Field(le=100, description="Lowest index (0–100) in this band.")


class CriteriaSetPut(ApiInput):
    """The whole tree as a flat list; each code's parent is the code without its last part."""

    model_config = with_examples(
        {
            "max_score": "2.50",
            "criteria": [FIELD_1, LEAF_1_1, LEAF_1_2],
            "bands": [GOOD, FAIR],
        }
    )

    max_score: ScoreIn | None = Field(
        default=None, description="If given, must equal the sum of the scored leaves' maxima."
    )
    criteria: list[CriterionIn] = Field(min_length=1)
    bands: list[BandIn] = Field(default_factory=list)
    correction_reason: CorrectionReason = None


def _read(criterion: dict[str, str], *, parent: str | None, leaf: bool) -> dict[str, object]:
    return {
        "code": criterion["code"],
        "parent_code": parent,
        "depth": criterion["code"].count(".") + 1,
        "is_leaf": leaf,
        "name_vi": criterion["name_vi"],
        "name_en": criterion["name_en"],
        "max_score": criterion["max_score"],
        "method": criterion.get("method"),
    }


class CriterionRead(ApiModel):
    model_config = with_examples(_read(LEAF_1_1, parent="1", leaf=True))

    code: str
    parent_code: str | None
    depth: int = Field(description="1 for a field, 2 for its criteria, and so on.")
    is_leaf: bool = Field(description="Leaves carry scores; inner nodes sum them.")
    name_vi: str
    name_en: str
    max_score: ScoreOut
    method: ScoringMethod | None


class BandRead(ApiModel):
    model_config = with_examples(GOOD)

    label_vi: str
    label_en: str
    min_index: IndexOut


class CriteriaSetRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2023,
            "group": "demo-department",
            "max_score": "2.50",
            "criteria": [
                _read(FIELD_1, parent=None, leaf=False),
                _read(LEAF_1_1, parent="1", leaf=True),
                _read(LEAF_1_2, parent="1", leaf=True),
            ],
            "bands": [GOOD, FAIR],
        }
    )

    year: int
    group: str
    max_score: ScoreOut = Field(description="The sum of the scored leaves' maxima.")
    criteria: list[CriterionRead] = Field(description="The tree in order, parents first.")
    bands: list[BandRead] = Field(description="Bands by lowest index, highest first.")
