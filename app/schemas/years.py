"""Assessment years and sources at the HTTP edge."""

from datetime import date, datetime

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.models.enums import YearStatus
from app.schemas.base import ApiInput, ApiModel, Code, IsoDate, Year, with_examples

SOURCE_2024 = {
    "code": "lamdong-2024",
    "title": "Bao Lam Dong, 'Cong bo Chi so cai cach hanh chinh nam 2024 ...' (June 2025)",
    "url": "https://baolamdong.vn/kinh-te/202506/",
}
YEAR_2024 = {
    "year": 2024,
    "status": "published",
    "published_at": "2025-06-20T08:00:00Z",
    "units_as_of": "2024-12-31",
    "legal_basis": None,
    "note": None,
    "source": SOURCE_2024,
}


class SourceIn(ApiInput):
    model_config = with_examples(SOURCE_2024)

    code: Code = Field(examples=["lamdong-2024"])
    title: str = Field(min_length=1, max_length=2000)
    url: str | None = Field(default=None, max_length=2000)


class SourceRead(ApiModel):
    """Where published figures come from."""

    model_config = with_examples(SOURCE_2024)

    code: str
    title: str
    url: str | None


class YearCreate(ApiInput):
    model_config = with_examples(
        {"year": 2026, "note": "Self-assessment opens in the fourth quarter."}
    )

    year: Year
    units_as_of: IsoDate | None = Field(
        default=None,
        description=(
            "The date the year's results describe the units at (its lineage cut-off): a merger, "
            "split or rename effective after the previous year's date and on or before this one "
            "changes this year's comparison with the previous year, and no other. In the year or "
            "the next one; default 31 December of the year."
        ),
        examples=["2026-12-31"],
    )
    legal_basis: str | None = Field(default=None, max_length=2000, description="Decision number.")
    note: str | None = Field(default=None, max_length=2000)
    source: SourceIn | None = None

    @field_validator("units_as_of")
    @classmethod
    def _in_the_year_or_the_next(cls, value: date | None, info: ValidationInfo) -> date | None:
        year = info.data.get("year")
        if value is not None and year is not None and not year <= value.year <= year + 1:
            raise PydanticCustomError(
                "cut_off_year", "must fall in {year} or {next}", {"year": year, "next": year + 1}
            )
        return value

    @property
    def effective_units_as_of(self) -> date:
        return self.units_as_of or date(self.year, 12, 31)


class YearRead(ApiModel):
    model_config = with_examples(YEAR_2024)

    year: int
    status: YearStatus
    published_at: datetime | None = Field(description="When the year was published.")
    units_as_of: date = Field(
        validation_alias=AliasChoices("units_as_of", "units_as_of_date"),
        description="The date the year's results describe the units at (its lineage cut-off).",
    )
    legal_basis: str | None
    note: str | None
    source: SourceRead | None
