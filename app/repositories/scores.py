"""Leaf scores and published results."""

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.models import Criterion, LeafScore, PublishedGroupSummary, PublishedResult


class ScoreRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_for_unit(self, *, unit_id: int, criteria_set_id: int) -> Sequence[LeafScore]:
        result = await self.session.scalars(
            select(LeafScore)
            .join(LeafScore.criterion)
            .where(LeafScore.unit_id == unit_id, Criterion.criteria_set_id == criteria_set_id)
            .options(joinedload(LeafScore.criterion))
            .order_by(Criterion.sort_order)
        )
        return result.all()

    async def delete_for_unit(self, *, unit_id: int, criteria_set_id: int) -> None:
        criterion_ids = select(Criterion.id).where(Criterion.criteria_set_id == criteria_set_id)
        await self.session.execute(
            delete(LeafScore).where(
                LeafScore.unit_id == unit_id, LeafScore.criterion_id.in_(criterion_ids)
            )
        )

    async def add_all(self, scores: Sequence[LeafScore]) -> None:
        self.session.add_all(scores)
        await self.session.flush()

    async def get_published(self, *, unit_id: int, year: int) -> PublishedResult | None:
        return await self.session.scalar(
            select(PublishedResult).where(
                PublishedResult.unit_id == unit_id, PublishedResult.year == year
            )
        )

    async def get_group_summary(self, *, group_id: int, year: int) -> PublishedGroupSummary | None:
        return await self.session.scalar(
            select(PublishedGroupSummary).where(
                PublishedGroupSummary.group_id == group_id, PublishedGroupSummary.year == year
            )
        )

    async def add(self, instance: PublishedResult | PublishedGroupSummary) -> None:
        self.session.add(instance)
        await self.session.flush()
