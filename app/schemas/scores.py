"""Leaf scores of one unit-year at the HTTP edge."""

from pydantic import Field

from app.models.enums import ScoringMethod
from app.schemas.base import (
    ApiInput,
    ApiModel,
    CorrectionReason,
    CriterionCode,
    ScoreIn,
    ScoreOut,
    with_examples,
)

SCORE_1_1 = {"criterion": "1.1", "self_score": "1.31", "final_score": "1.28", "note": None}
SCORE_1_2 = {"criterion": "1.2", "self_score": "1.00", "final_score": "0.91", "note": None}


class LeafScoreIn(ApiInput):
    model_config = with_examples(SCORE_1_1)

    criterion: CriterionCode
    self_score: ScoreIn | None = Field(default=None, description="Self-assessed score.")
    final_score: ScoreIn | None = Field(default=None, description="Appraised (final) score.")
    note: str | None = Field(default=None, max_length=2000)


class ScoresPut(ApiInput):
    """Every leaf score of the unit for the year; leaves left out are cleared."""

    model_config = with_examples(
        {"scores": [SCORE_1_1, SCORE_1_2]},
        {
            "scores": [SCORE_1_1, {**SCORE_1_2, "final_score": "0.95"}],
            "correction_reason": "Appeal upheld: periodic reports were filed on time.",
        },
    )

    scores: list[LeafScoreIn]
    correction_reason: CorrectionReason = None


class LeafScoreRead(ApiModel):
    model_config = with_examples({**SCORE_1_1, "method": "appraisal", "max_score": "1.50"})

    criterion: str
    method: ScoringMethod
    max_score: ScoreOut
    self_score: ScoreOut | None
    final_score: ScoreOut | None
    note: str | None


class ScoresRead(ApiModel):
    model_config = with_examples(
        {
            "year": 2023,
            "unit": "DEMO-DEP-HEALTH",
            "group": "demo-department",
            "scores": [
                {**SCORE_1_1, "method": "appraisal", "max_score": "1.50"},
                {**SCORE_1_2, "method": "appraisal", "max_score": "1.00"},
            ],
        }
    )

    year: int
    unit: str
    group: str
    scores: list[LeafScoreRead] = Field(description="The stored leaf scores, in tree order.")
