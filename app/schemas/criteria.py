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
)


class CriterionIn(ApiInput):
    code: CriterionCode
    name_vi: str = Field(min_length=1, max_length=500)
    name_en: str = Field(min_length=1, max_length=500)
    max_score: ScoreIn = Field(description="Maximum points; for a penalty, the cap on deductions.")
    method: ScoringMethod | None = Field(
        default=None, description="Required on leaves, omitted on inner nodes."
    )


class BandIn(ApiInput):
    label_vi: Name = Field(examples=["Tốt"])
    label_en: Name = Field(examples=["Good"])
    min_index: IndexIn = Field(le=100, description="Lowest index (0–100) in this band.")


class CriteriaSetPut(ApiInput):
    """The whole tree as a flat list; each code's parent is the code without its last part."""

    max_score: ScoreIn | None = Field(
        default=None, description="If given, must equal the sum of the scored leaves' maxima."
    )
    criteria: list[CriterionIn] = Field(min_length=1)
    bands: list[BandIn] = Field(default_factory=list)
    correction_reason: CorrectionReason = None


class CriterionRead(ApiModel):
    code: str
    parent_code: str | None
    depth: int
    is_leaf: bool
    name_vi: str
    name_en: str
    max_score: ScoreOut
    method: ScoringMethod | None


class BandRead(ApiModel):
    label_vi: str
    label_en: str
    min_index: IndexOut


class CriteriaSetRead(ApiModel):
    year: int
    group: str
    max_score: ScoreOut
    criteria: list[CriterionRead]
    bands: list[BandRead]
