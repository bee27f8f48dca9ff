"""A published year in one document for the open-data portal; language neutral (vi and en)."""

from datetime import datetime

from pydantic import Field

from app.schemas.audit import YearRevisionRead
from app.schemas.base import ApiModel, IndexOut, ScoreOut
from app.schemas.criteria import CriteriaSetRead
from app.schemas.results import GroupStatisticsRead, IndexBasis, PublishedSummaryRead
from app.schemas.years import SourceRead

DUMP_FORMAT = "par-index-dump/1"


class DumpYearRead(ApiModel):
    year: int
    status: str
    revision: int = Field(description="The revision this dump shows.")
    latest_revision: int
    published_at: datetime | None
    legal_basis: str | None
    note: str | None
    source: SourceRead | None


class DumpGroupRead(ApiModel):
    code: str
    name_vi: str
    name_en: str


class DumpUnitRead(ApiModel):
    code: str
    name_vi: str
    name_en: str
    group: str


class DumpScoreRead(ApiModel):
    group: str
    unit: str
    criterion: str
    self_score: ScoreOut | None
    final_score: ScoreOut | None
    note: str | None


class DumpRankingEntryRead(ApiModel):
    rank: int | None
    tie_size: int
    unit: str
    basis: IndexBasis
    index: IndexOut | None
    total: ScoreOut | None
    max_score: ScoreOut | None
    missing_leaves: int
    band_vi: str | None
    band_en: str | None
    published_index: IndexOut | None
    published_rank: int | None
    rank_disagrees: bool | None
    index_disagrees: bool | None


class DumpRankingRead(ApiModel):
    group: str
    rule: str
    max_score: ScoreOut | None
    statistics: GroupStatisticsRead
    entries: list[DumpRankingEntryRead]


class DumpPublishedResultRead(ApiModel):
    """A unit's result exactly as its source published it; null where nothing was."""

    group: str
    unit: str
    index: IndexOut | None
    rank: int | None
    position: str | None
    band_vi: str | None
    source: str
    note: str | None


class DumpGroupSummaryRead(PublishedSummaryRead):
    group: str


class YearDumpRead(ApiModel):
    format: str = Field(default=DUMP_FORMAT, description="Changes when the layout does.")
    year: DumpYearRead
    revisions: list[YearRevisionRead] = Field(description="Revisions up to the one shown.")
    groups: list[DumpGroupRead] = Field(description="Groups with anything published that year.")
    units: list[DumpUnitRead]
    criteria_sets: list[CriteriaSetRead]
    scores: list[DumpScoreRead] = Field(description="Every leaf score, by group, unit, tree order.")
    rankings: list[DumpRankingRead]
    published_results: list[DumpPublishedResultRead]
    group_summaries: list[DumpGroupSummaryRead]
