"""Assessment years and sources at the HTTP edge."""

from datetime import datetime

from pydantic import Field

from app.models.enums import YearStatus
from app.schemas.base import ApiInput, ApiModel, Code, Year


class SourceIn(ApiInput):
    code: Code = Field(examples=["lamdong-2024"])
    title: str = Field(min_length=1, max_length=2000)
    url: str | None = Field(default=None, max_length=2000)


class SourceRead(ApiModel):
    code: str
    title: str
    url: str | None


class YearCreate(ApiInput):
    year: Year
    legal_basis: str | None = Field(default=None, max_length=2000, description="Decision number.")
    note: str | None = Field(default=None, max_length=2000)
    source: SourceIn | None = None


class YearRead(ApiModel):
    year: int
    status: YearStatus
    published_at: datetime | None
    legal_basis: str | None
    note: str | None
    source: SourceRead | None
