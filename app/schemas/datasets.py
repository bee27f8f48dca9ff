"""A whole data set (reference data, years, criteria, scores, published results) in one document."""

from pydantic import Field

from app.models.enums import YearStatus
from app.schemas.base import ApiInput, Code, IndexIn, Year
from app.schemas.criteria import CriteriaSetPut
from app.schemas.scores import ScoresPut
from app.schemas.units import GroupCreate, LineageEventCreate, UnitCreate
from app.schemas.years import SourceIn, YearCreate


class GroupSpec(GroupCreate):
    """A unit group of a data set, as the API creates it."""


class YearSpec(YearCreate):
    status: YearStatus = YearStatus.DRAFT


class CriteriaSetSpec(CriteriaSetPut):
    year: Year
    group: Code


class UnitScoresSpec(ScoresPut):
    year: Year
    unit: Code


class PublishedResultSpec(ApiInput):
    """A unit's result as published; fields the source did not publish stay null."""

    year: Year
    unit: Code
    index_value: IndexIn | None = None
    published_rank: int | None = Field(default=None, ge=1)
    published_position: str | None = Field(default=None, max_length=2000)
    band_vi: str | None = Field(default=None, max_length=100)
    source: Code
    note: str | None = Field(default=None, max_length=2000)


class PublishedGroupSpec(ApiInput):
    year: Year
    group: Code
    unit_count: int | None = Field(default=None, ge=0)
    band_counts: dict[str, int] | None = None
    note: str | None = Field(default=None, max_length=2000)
    source: Code


class DatasetBundle(ApiInput):
    name: str
    sources: list[SourceIn] = Field(default_factory=list)
    groups: list[GroupSpec] = Field(default_factory=list)
    units: list[UnitCreate] = Field(default_factory=list)
    lineage: list[LineageEventCreate] = Field(default_factory=list)
    years: list[YearSpec] = Field(default_factory=list)
    criteria_sets: list[CriteriaSetSpec] = Field(default_factory=list)
    scores: list[UnitScoresSpec] = Field(default_factory=list)
    published_results: list[PublishedResultSpec] = Field(default_factory=list)
    published_groups: list[PublishedGroupSpec] = Field(default_factory=list)
