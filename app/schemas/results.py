"""Rankings, breakdowns, improvement lists and histories at the HTTP edge."""

from typing import Literal

from pydantic import Field

from app.i18n import Language
from app.models.enums import ScoringMethod
from app.schemas.base import ApiModel, IndexOut, ScoreOut

IndexBasis = Literal["leaf_scores", "published_index", "published_rank", "none"]


class LabelledRef(ApiModel):
    code: str
    name: str = Field(description="Name in the language chosen by Accept-Language.")
    name_vi: str
    name_en: str


class BandRef(ApiModel):
    label: str
    label_vi: str
    label_en: str


class PublishedRead(ApiModel):
    """The unit's result as its source published it; null where nothing was published."""

    index: IndexOut | None
    rank: int | None
    position: str | None
    band_vi: str | None
    source: str


class PreviousResultRead(ApiModel):
    unit: LabelledRef
    relation: Literal["self", "merge", "split", "rename", "transfer"]
    effective_date: str | None
    index: IndexOut | None
    rank: int | None


class PreviousRead(ApiModel):
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
    count: int
    mean: IndexOut | None
    median: IndexOut | None
    min: IndexOut | None
    max: IndexOut | None
    band_counts: dict[str, int]


class PublishedSummaryRead(ApiModel):
    unit_count: int | None
    band_counts: dict[str, int] | None
    note: str | None
    source: str


class RankingRead(ApiModel):
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
    unit: LabelledRef
    rank: int
    index: IndexOut
    index_points_needed: IndexOut = Field(description="Index points to pass that unit.")
    total_points_needed: ScoreOut = Field(description="Total points to pass that unit.")


class UnitImprovementsRead(ApiModel):
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
    code: str
    name: str
    attainment_pct: ScoreOut
    points_lost: ScoreOut


class WeakUnitRead(ApiModel):
    rank: int | None
    unit: LabelledRef
    index: IndexOut
    weakest_fields: list[FieldWeaknessRead]


class CriterionWeaknessRead(ApiModel):
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
    year: int
    revision: int
    language: Language
    group: LabelledRef
    order: str
    lowest_units: list[WeakUnitRead]
    weakest_criteria: list[CriterionWeaknessRead]


class HistoryEntryRead(ApiModel):
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
    language: Language
    unit: LabelledRef
    entries: list[HistoryEntryRead]
