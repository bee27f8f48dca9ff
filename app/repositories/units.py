"""Units, unit groups and lineage events."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.core.text import escape_like
from app.models import (
    CriteriaSet,
    LeafScore,
    OrgUnit,
    PublishedGroupSummary,
    PublishedResult,
    UnitGroup,
    UnitLineage,
)


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_groups(self, *, active_in: int | None = None) -> Sequence[UnitGroup]:
        """Every group, or those ranked in `active_in` (open validity years are unbounded)."""
        statement = select(UnitGroup).order_by(UnitGroup.sort_order, UnitGroup.code)
        if active_in is not None:
            statement = statement.where(
                or_(UnitGroup.valid_from_year.is_(None), UnitGroup.valid_from_year <= active_in),
                or_(UnitGroup.valid_to_year.is_(None), UnitGroup.valid_to_year >= active_in),
            )
        result = await self.session.scalars(statement)
        return result.all()

    async def years_with_results(self, group_id: int) -> list[int]:
        """Years with a criteria set, a unit's published result or a published summary of
        the group (leaf scores belong to a criteria set), ascending."""
        years = await self.session.scalars(
            union(
                select(CriteriaSet.year).where(CriteriaSet.group_id == group_id),
                select(PublishedResult.year)
                .join(OrgUnit, OrgUnit.id == PublishedResult.unit_id)
                .where(OrgUnit.group_id == group_id),
                select(PublishedGroupSummary.year).where(
                    PublishedGroupSummary.group_id == group_id
                ),
            )
        )
        return sorted(years)

    async def get_group(self, code: str) -> UnitGroup | None:
        return await self.session.scalar(select(UnitGroup).where(UnitGroup.code == code))

    async def get(self, code: str) -> OrgUnit | None:
        return await self.session.scalar(
            select(OrgUnit)
            .where(OrgUnit.code == code)
            .options(joinedload(OrgUnit.group), joinedload(OrgUnit.parent))
        )

    async def list_units(
        self,
        *,
        group_code: str | None,
        active_from: date | None,
        active_to: date | None,
        folded_query: str | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[OrgUnit], int]:
        """Units matching every given filter, ordered by group then code, and the total count."""
        conditions: list[ColumnElement[bool]] = []
        if group_code is not None:
            conditions.append(OrgUnit.group.has(UnitGroup.code == group_code))
        if active_from is not None and active_to is not None:
            conditions.append(_active_between(active_from, active_to))
        if folded_query:
            conditions.append(
                OrgUnit.search_text.like(f"%{escape_like(folded_query)}%", escape="\\")
            )
        total = await self.session.scalar(
            select(func.count()).select_from(OrgUnit).where(*conditions)
        )
        rows = await self.session.scalars(
            select(OrgUnit)
            .join(OrgUnit.group)
            .where(*conditions)
            .options(joinedload(OrgUnit.group), joinedload(OrgUnit.parent))
            .order_by(UnitGroup.sort_order, OrgUnit.code)
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), total or 0

    async def parent_id_of(self, unit_id: int) -> int | None:
        return await self.session.scalar(select(OrgUnit.parent_id).where(OrgUnit.id == unit_id))

    async def lineage_of(self, unit_id: int) -> Sequence[UnitLineage]:
        """Events where the unit is predecessor or successor, oldest first."""
        result = await self.session.scalars(
            select(UnitLineage)
            .where(or_(UnitLineage.predecessor_id == unit_id, UnitLineage.successor_id == unit_id))
            .options(joinedload(UnitLineage.predecessor), joinedload(UnitLineage.successor))
            .order_by(UnitLineage.effective_date, UnitLineage.id)
        )
        return result.all()

    async def get_lineage_event(
        self, *, predecessor_id: int, successor_id: int, kind: str, effective_date: date
    ) -> UnitLineage | None:
        return await self.session.scalar(
            select(UnitLineage).where(
                UnitLineage.predecessor_id == predecessor_id,
                UnitLineage.successor_id == successor_id,
                UnitLineage.kind == kind,
                UnitLineage.effective_date == effective_date,
            )
        )

    async def has_results(self, unit_id: int) -> bool:
        """Whether any leaf score or published result refers to the unit."""
        found = await self.session.scalar(
            select(
                or_(
                    exists().where(LeafScore.unit_id == unit_id),
                    exists().where(PublishedResult.unit_id == unit_id),
                )
            )
        )
        return bool(found)

    async def add(self, instance: OrgUnit | UnitGroup | UnitLineage) -> None:
        self.session.add(instance)
        await self.session.flush()


def _active_between(start: date, end: date) -> ColumnElement[bool]:
    """The unit's validity overlaps [start, end]; open ends are unbounded."""
    return and_(
        or_(OrgUnit.valid_from_date.is_(None), OrgUnit.valid_from_date <= end),
        or_(OrgUnit.valid_to_date.is_(None), OrgUnit.valid_to_date >= start),
    )
