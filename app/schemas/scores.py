"""Leaf scores of one unit-year at the HTTP edge."""

from pydantic import Field

from app.models.enums import ScoringMethod
from app.schemas.base import ApiInput, ApiModel, CorrectionReason, CriterionCode, ScoreIn, ScoreOut


class LeafScoreIn(ApiInput):
    criterion: CriterionCode
    self_score: ScoreIn | None = Field(default=None, description="Self-assessed score.")
    final_score: ScoreIn | None = Field(default=None, description="Appraised (final) score.")
    note: str | None = Field(default=None, max_length=2000)


class ScoresPut(ApiInput):
    """Every leaf score of the unit for the year; leaves left out are cleared."""

    scores: list[LeafScoreIn]
    correction_reason: CorrectionReason = None


class LeafScoreRead(ApiModel):
    criterion: str
    method: ScoringMethod
    max_score: ScoreOut
    self_score: ScoreOut | None
    final_score: ScoreOut | None
    note: str | None


class ScoresRead(ApiModel):
    year: int
    unit: str
    group: str
    scores: list[LeafScoreRead]
