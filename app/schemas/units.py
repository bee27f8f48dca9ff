"""Unit groups, units and lineage events at the HTTP edge."""

from datetime import date

from pydantic import Field, model_validator

from app.models.enums import LineageKind
from app.schemas.base import ApiInput, ApiModel, Code, Name


class GroupRead(ApiModel):
    code: str
    name_vi: str
    name_en: str
    sort_order: int


class UnitCreate(ApiInput):
    code: Code = Field(description="Stable code, never reused.", examples=["LD-DEP-HEALTH"])
    name_vi: Name = Field(examples=["Sở Y tế"])
    name_en: Name = Field(examples=["Department of Health"])
    group: Code = Field(description="Code of the unit group.", examples=["department"])
    parent: Code | None = Field(default=None, description="Code of the parent unit, if any.")
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _validity_ordered(self) -> "UnitCreate":
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from must not be after valid_to")
        return self


class UnitUpdate(ApiInput):
    """Fields to change; omitted fields stay as they are, explicit nulls clear optional ones."""

    name_vi: Name | None = None
    name_en: Name | None = None
    group: Code | None = None
    parent: Code | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class UnitRead(ApiModel):
    code: str
    name_vi: str
    name_en: str
    group: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None


class UnitRef(ApiModel):
    code: str
    name_vi: str
    name_en: str


class LineageEventCreate(ApiInput):
    predecessor: Code
    successor: Code
    kind: LineageKind
    effective_date: date
    legal_basis: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)


class LineageEventRead(ApiModel):
    predecessor: UnitRef
    successor: UnitRef
    kind: LineageKind
    effective_date: date
    legal_basis: str | None
    note: str | None


class UnitLineageRead(ApiModel):
    unit: UnitRef
    predecessors: list[LineageEventRead]
    successors: list[LineageEventRead]
