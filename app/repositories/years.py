"""Assessment years and sources."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.models import AssessmentYear, Source


class YearRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, year: int, *, for_update: bool = False) -> AssessmentYear | None:
        statement = (
            select(AssessmentYear)
            .where(AssessmentYear.year == year)
            .options(joinedload(AssessmentYear.source))
        )
        if for_update:
            # Serialises writers of one year on PostgreSQL; SQLite locks the whole file anyway.
            statement = statement.with_for_update(of=AssessmentYear)
        return await self.session.scalar(statement)

    async def list_years(self) -> Sequence[AssessmentYear]:
        result = await self.session.scalars(
            select(AssessmentYear)
            .options(joinedload(AssessmentYear.source))
            .order_by(AssessmentYear.year.desc())
        )
        return result.all()

    async def units_as_of_dates(self) -> dict[int, date]:
        """Every stored year's cut-off date, by year."""
        rows = await self.session.execute(
            select(AssessmentYear.year, AssessmentYear.units_as_of_date)
        )
        return {row.year: row.units_as_of_date for row in rows}

    async def get_source(self, code: str) -> Source | None:
        return await self.session.scalar(select(Source).where(Source.code == code))

    async def add(self, instance: AssessmentYear | Source) -> None:
        self.session.add(instance)
        await self.session.flush()
