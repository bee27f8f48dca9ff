"""A published year in one document for the open-data portal; language neutral (vi and en)."""

from datetime import datetime

from pydantic import Field

from app.models.enums import YearStatus
from app.schemas.audit import PUBLISHED_2024, YearRevisionRead
from app.schemas.base import ApiModel, IndexOut, ScoreOut, with_examples
from app.schemas.coverage import (
    COVERAGE_DEPARTMENTS_2024,
    CoverageRead,
    PositionCode,
)
from app.schemas.criteria import CriteriaSetRead
from app.schemas.rankings import (
    RANKING_RULE,
    STATISTICS_2024,
    SUMMARY_2024,
    GroupStatisticsRead,
    PublishedSummaryRead,
)
from app.schemas.vocabularies import IndexBasis, RankBasis
from app.schemas.years import SOURCE_2024, SourceRead

DUMP_FORMAT = "par-index-dump/1"
DEPARTMENTS = {
    "code": "department",
    "name_vi": "Sở, ban, ngành",
    "name_en": "Departments, branches and sectors",
}
HOME_AFFAIRS = {
    "code": "LD-DEP-HOME-AFFAIRS",
    "name_vi": "Sở Nội vụ",
    "name_en": "Department of Home Affairs",
    "group": "department",
}
HOME_AFFAIRS_RANK = {
    "rank": 1,
    "rank_basis": "published",
    "tie_size": 1,
    "unit": "LD-DEP-HOME-AFFAIRS",
    "basis": "published_index",
    "index": "92.96",
    "total": None,
    "max_score": None,
    "missing_leaves": 0,
    "band_vi": None,
    "band_en": None,
    "published_index": "92.96",
    "published_rank": 1,
    "published_position_code": None,
    "rank_disagrees": None,
    "index_disagrees": None,
}
DUMP_YEAR = {
    "year": 2024,
    "status": "published",
    "revision": 1,
    "latest_revision": 1,
    "published_at": "2025-06-20T08:00:00Z",
    "legal_basis": None,
    "note": None,
    "source": SOURCE_2024,
}
DUMP_SCORE = {
    "group": "demo-department",
    "unit": "DEMO-DEP-HEALTH",
    "criterion": "1.1",
    "self_score": "1.31",
    "final_score": "1.28",
    "note": None,
}
DUMP_RANKING = {
    "group": "department",
    "rule": RANKING_RULE,
    "max_score": None,
    "coverage": COVERAGE_DEPARTMENTS_2024,
    "statistics": STATISTICS_2024,
    "entries": [HOME_AFFAIRS_RANK],
}
HOME_AFFAIRS_PUBLISHED = {
    "group": "department",
    "unit": "LD-DEP-HOME-AFFAIRS",
    "index": "92.96",
    "rank": 1,
    "position": None,
    "position_code": None,
    "band_vi": None,
    "source": "lamdong-2024",
    "note": None,
}


class DumpYearRead(ApiModel):
    model_config = with_examples(DUMP_YEAR)

    year: int
    status: YearStatus
    revision: int = Field(description="The revision this dump shows.")
    latest_revision: int
    published_at: datetime | None
    legal_basis: str | None
    note: str | None
    source: SourceRead | None


class DumpGroupRead(ApiModel):
    model_config = with_examples(DEPARTMENTS)

    code: str
    name_vi: str
    name_en: str


class DumpUnitRead(ApiModel):
    model_config = with_examples(HOME_AFFAIRS)

    code: str
    name_vi: str
    name_en: str
    group: str


class DumpScoreRead(ApiModel):
    model_config = with_examples(DUMP_SCORE)

    group: str
    unit: str
    criterion: str
    self_score: ScoreOut | None
    final_score: ScoreOut | None
    note: str | None


class DumpRankingEntryRead(ApiModel):
    model_config = with_examples(HOME_AFFAIRS_RANK)

    rank: int | None = Field(description="Computed over a complete group, else as published.")
    rank_basis: RankBasis | None
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
    published_position_code: PositionCode | None = Field(
        description="The place the source stated in words, as a code (e.g. `bottom_3`)."
    )
    rank_disagrees: bool | None
    index_disagrees: bool | None


class DumpRankingRead(ApiModel):
    model_config = with_examples(DUMP_RANKING)

    group: str
    rule: str
    max_score: ScoreOut | None
    coverage: CoverageRead
    statistics: GroupStatisticsRead
    entries: list[DumpRankingEntryRead]


class DumpPublishedResultRead(ApiModel):
    """A unit's result exactly as its source published it; null where nothing was."""

    model_config = with_examples(HOME_AFFAIRS_PUBLISHED)

    group: str
    unit: str
    index: IndexOut | None
    rank: int | None
    position: str | None = Field(description="The place as the source worded it.")
    position_code: PositionCode | None = Field(
        description="That place as a code: `highest`, `lowest`, `top_N`, `bottom_N`."
    )
    band_vi: str | None
    source: str
    note: str | None


class DumpGroupSummaryRead(PublishedSummaryRead):
    model_config = with_examples({**SUMMARY_2024, "group": "department"})

    group: str


class YearDumpRead(ApiModel):
    model_config = with_examples(
        {
            "format": DUMP_FORMAT,
            "year": DUMP_YEAR,
            "revisions": [PUBLISHED_2024],
            "groups": [DEPARTMENTS],
            "units": [HOME_AFFAIRS],
            "criteria_sets": [],
            "scores": [],
            "rankings": [DUMP_RANKING],
            "published_results": [HOME_AFFAIRS_PUBLISHED],
            "group_summaries": [{**SUMMARY_2024, "group": "department"}],
        }
    )

    format: str = Field(default=DUMP_FORMAT, description="Changes when the layout does.")
    year: DumpYearRead
    revisions: list[YearRevisionRead] = Field(description="Revisions up to the one shown.")
    groups: list[DumpGroupRead] = Field(description="Groups with anything published that year.")
    units: list[DumpUnitRead]
    criteria_sets: list[CriteriaSetRead]
    scores: list[DumpScoreRead] = Field(description="Every leaf score, by group, unit, tree order.")
    rankings: list[DumpRankingRead] = Field(description="One per group with results that year.")
    published_results: list[DumpPublishedResultRead]
    group_summaries: list[DumpGroupSummaryRead]
