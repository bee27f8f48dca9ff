"""Unit groups, units and lineage events at the HTTP edge."""

from datetime import date

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from app.models.enums import LineageKind
from app.schemas.base import ApiInput, ApiModel, Code, IsoDate, Name, Page, Year, with_examples

HEALTH = {
    "code": "LD-DEP-HEALTH",
    "name_vi": "Sở Y tế",
    "name_en": "Department of Health",
    "group": "department",
    "parent": None,
    "valid_from": None,
    "valid_to": None,
}
AGRI_ENV_REF = {
    "code": "LD-DEP-AGRI-ENV",
    "name_vi": "Sở Nông nghiệp và Môi trường",
    "name_en": "Department of Agriculture and Environment",
}
NATURAL_RESOURCES_REF = {
    "code": "LD-DEP-NATURAL-RESOURCES-ENV",
    "name_vi": "Sở Tài nguyên và Môi trường",
    "name_en": "Department of Natural Resources and Environment",
}
MERGER_NOTE = (
    "1 Mar 2025: Agriculture and Rural Development + Natural Resources and Environment → "
    "Agriculture and Environment."
)
MERGER = {
    "predecessor": NATURAL_RESOURCES_REF,
    "successor": AGRI_ENV_REF,
    "kind": "merge",
    "effective_date": "2025-03-01",
    "legal_basis": None,
    "note": MERGER_NOTE,
}


COMMUNES = {
    "code": "commune",
    "name_vi": "UBND xã, phường, đặc khu",
    "name_en": "Commune, ward and special-zone People's Committees",
    "sort_order": 3,
    "valid_from_year": 2025,
    "valid_to_year": None,
}
FIRST_YEAR = "The first assessment year the group is ranked in (null: no limit)."
# A validity that ends before it starts, in the catalogue's words ("validation.after").
AFTER_YEARS = {"field": "valid_from_year", "other": "valid_to_year"}
AFTER_DATES = {"field": "valid_from", "other": "valid_to"}
LAST_YEAR = "The last assessment year the group is ranked in (null: still ranked)."
SORT_ORDER = "Where the group comes in lists, smallest first."


class GroupRead(ApiModel):
    """A unit group: units are ranked within their group."""

    model_config = with_examples(COMMUNES)

    code: str
    name_vi: str
    name_en: str
    sort_order: int = Field(description=SORT_ORDER)
    valid_from_year: int | None = Field(description=FIRST_YEAR)
    valid_to_year: int | None = Field(description=LAST_YEAR)


class GroupCreate(ApiInput):
    model_config = with_examples(COMMUNES)

    code: Code = Field(description="Stable code, never reused.", examples=["commune"])
    name_vi: Name
    name_en: Name
    sort_order: int = Field(default=0, ge=-(2**31), le=2**31 - 1, description=SORT_ORDER)
    valid_from_year: Year | None = Field(default=None, description=FIRST_YEAR)
    valid_to_year: Year | None = Field(default=None, description=LAST_YEAR)

    @model_validator(mode="after")
    def _validity_ordered(self) -> "GroupCreate":
        first, last = self.valid_from_year, self.valid_to_year
        if first is not None and last is not None and first > last:
            raise PydanticCustomError("after", "{field} must not be after {other}", AFTER_YEARS)
        return self


class GroupUpdate(ApiInput):
    """Fields to change; omitted fields stay as they are, a null year lifts that limit.

    The code never changes: results and criteria sets refer to it."""

    model_config = with_examples(
        {"name_en": "Commune-level People's Committees"}, {"valid_to_year": 2024}
    )

    name_vi: Name | None = None
    name_en: Name | None = None
    sort_order: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    valid_from_year: Year | None = None
    valid_to_year: Year | None = None


class UnitCreate(ApiInput):
    model_config = with_examples(
        {
            "code": "LD-DEP-CONSTRUCTION",
            "name_vi": "Sở Xây dựng",
            "name_en": "Department of Construction",
            "group": "department",
        }
    )

    code: Code = Field(description="Stable code, never reused.", examples=["LD-DEP-HEALTH"])
    name_vi: Name = Field(examples=["Sở Y tế"])
    name_en: Name = Field(examples=["Department of Health"])
    group: Code = Field(description="Code of the unit group.", examples=["department"])
    parent: Code | None = Field(default=None, description="Code of the parent unit, if any.")
    valid_from: IsoDate | None = Field(default=None, description="First day the unit exists.")
    valid_to: IsoDate | None = Field(default=None, description="Last day the unit exists.")

    @model_validator(mode="after")
    def _validity_ordered(self) -> "UnitCreate":
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise PydanticCustomError("after", "{field} must not be after {other}", AFTER_DATES)
        return self


class UnitUpdate(ApiInput):
    """Fields to change; omitted fields stay as they are, explicit nulls clear optional ones."""

    model_config = with_examples(
        {"name_en": "Lam Dong Department of Health"}, {"valid_to": "2025-02-28"}
    )

    name_vi: Name | None = None
    name_en: Name | None = None
    group: Code | None = None
    parent: Code | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None


class UnitRead(ApiModel):
    model_config = with_examples(HEALTH)

    code: str
    name_vi: str
    name_en: str
    group: str = Field(description="Code of the unit group.")
    parent: str | None = Field(description="Code of the parent unit, if any.")
    valid_from: date | None = Field(description="First day the unit exists (null: always has).")
    valid_to: date | None = Field(description="Last day the unit exists (null: still exists).")


class UnitPage(Page[UnitRead]):
    """A page of units."""


class UnitRef(ApiModel):
    model_config = with_examples(AGRI_ENV_REF)

    code: str
    name_vi: str
    name_en: str


class LineageEventCreate(ApiInput):
    model_config = with_examples(
        {
            "predecessor": "LD-DEP-NATURAL-RESOURCES-ENV",
            "successor": "LD-DEP-AGRI-ENV",
            "kind": "merge",
            "effective_date": "2025-03-01",
            "note": MERGER_NOTE,
        }
    )

    predecessor: Code = Field(description="Code of the unit before the event.")
    successor: Code = Field(description="Code of the unit after the event.")
    kind: LineageKind
    effective_date: IsoDate
    legal_basis: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)


class LineageEventRead(ApiModel):
    model_config = with_examples(MERGER)

    predecessor: UnitRef
    successor: UnitRef
    kind: LineageKind
    effective_date: date
    legal_basis: str | None
    note: str | None


class UnitLineageRead(ApiModel):
    model_config = with_examples({"unit": AGRI_ENV_REF, "predecessors": [MERGER], "successors": []})

    unit: UnitRef
    predecessors: list[LineageEventRead] = Field(description="Events that led to this unit.")
    successors: list[LineageEventRead] = Field(description="Events this unit went into.")
