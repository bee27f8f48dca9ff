"""Assessment years and sources at the HTTP edge."""

from datetime import datetime

from pydantic import Field

from app.models.enums import YearStatus
from app.schemas.base import ApiInput, ApiModel, Code, Year, with_examples

SOURCE_2024 = {
    "code": "lamdong-2024",
    "title": "Bao Lam Dong, 'Cong bo Chi so cai cach hanh chinh nam 2024 ...' (June 2025)",
    "url": "https://baolamdong.vn/kinh-te/202506/",
}
YEAR_2024 = {
    "year": 2024,
    "status": "published",
    "published_at": "2025-06-20T08:00:00Z",
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
    legal_basis: str | None = Field(default=None, max_length=2000, description="Decision number.")
    note: str | None = Field(default=None, max_length=2000)
    source: SourceIn | None = None


class YearRead(ApiModel):
    model_config = with_examples(YEAR_2024)

    year: int
    status: YearStatus
    published_at: datetime | None = Field(description="When the year was published.")
    legal_basis: str | None
    note: str | None
    source: SourceRead | None
