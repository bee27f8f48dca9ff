"""What a year's leaf-score export and score templates read: stored leaf scores, criteria
sets, and a group's units on a day."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.models import CriteriaSet, Criterion, LeafScore, OrgUnit, UnitGroup


class ExportScoreRow(NamedTuple):
    group_code: str
    unit_code: str
    criterion_code: str
    self_score: Decimal | None
    final_score: Decimal | None
    note: str | None


class ExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def leaf_scores_of_year(
        self, *, year: int, group_id: int | None
    ) -> Sequence[ExportScoreRow]:
        """Every leaf score given against the year's criteria sets, by group, unit, tree order."""
        statement = (
            select(
                UnitGroup.code,
                OrgUnit.code,
                Criterion.code,
                LeafScore.self_score,
                LeafScore.final_score,
                LeafScore.note,
            )
            .join(Criterion, LeafScore.criterion_id == Criterion.id)
            .join(CriteriaSet, Criterion.criteria_set_id == CriteriaSet.id)
            .join(UnitGroup, CriteriaSet.group_id == UnitGroup.id)
            .join(OrgUnit, LeafScore.unit_id == OrgUnit.id)
            .where(CriteriaSet.year == year)
            .order_by(UnitGroup.sort_order, UnitGroup.code, OrgUnit.code, Criterion.sort_order)
        )
        if group_id is not None:
            statement = statement.where(CriteriaSet.group_id == group_id)
        result = await self.session.execute(statement)
        return [ExportScoreRow(*row) for row in result]

    async def criteria_sets_of_year(
        self, *, year: int, group_id: int | None
    ) -> Sequence[CriteriaSet]:
        """The year's criteria sets with their nodes in tree order, ordered by group."""
        statement = (
            select(CriteriaSet)
            .join(CriteriaSet.group)
            .where(CriteriaSet.year == year)
            .options(joinedload(CriteriaSet.group), selectinload(CriteriaSet.criteria))
            .order_by(UnitGroup.sort_order, UnitGroup.code)
        )
        if group_id is not None:
            statement = statement.where(CriteriaSet.group_id == group_id)
        result = await self.session.scalars(statement)
        return result.all()

    async def units_of_group_on(self, *, group_id: int, day: date) -> Sequence[OrgUnit]:
        """The group's units that exist on `day` (open validity ends count), by code."""
        result = await self.session.scalars(
            select(OrgUnit)
            .where(
                OrgUnit.group_id == group_id,
                or_(OrgUnit.valid_from_date.is_(None), OrgUnit.valid_from_date <= day),
                or_(OrgUnit.valid_to_date.is_(None), OrgUnit.valid_to_date >= day),
            )
            .order_by(OrgUnit.code)
        )
        return result.all()
