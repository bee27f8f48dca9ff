"""Criteria sets with their nodes and bands."""

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.models import Band, CriteriaSet, Criterion, LeafScore


class CriteriaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_set(self, *, year: int, group_id: int) -> CriteriaSet | None:
        return await self.session.scalar(
            select(CriteriaSet)
            .where(CriteriaSet.year == year, CriteriaSet.group_id == group_id)
            .options(selectinload(CriteriaSet.criteria), selectinload(CriteriaSet.bands))
        )

    async def has_scores(self, criteria_set_id: int) -> bool:
        found = await self.session.scalar(
            select(
                exists().where(
                    LeafScore.criterion_id == Criterion.id,
                    Criterion.criteria_set_id == criteria_set_id,
                )
            )
        )
        return bool(found)

    async def add(self, instance: CriteriaSet | Criterion | Band) -> None:
        self.session.add(instance)
        await self.session.flush()

    async def delete_bands(self, criteria_set_id: int) -> None:
        await self.session.execute(delete(Band).where(Band.criteria_set_id == criteria_set_id))
