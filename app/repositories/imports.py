"""Bulk SQL for imports: lookups loaded once, units' scores of the year deleted in bulk."""

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import NamedTuple, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.models import (
    CriteriaSet,
    Criterion,
    LeafScore,
    OrgUnit,
    PublishedResult,
    Source,
    UnitGroup,
)

# Bound parameters per statement stay well below SQLite's and asyncpg's limits (32766/32767).
ID_CHUNK = 5_000

T = TypeVar("T")


class CriterionRow(NamedTuple):
    group_id: int
    criteria_set_id: int
    id: int
    code: str
    max_score: Decimal
    method: str | None


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_units(self) -> Sequence[OrgUnit]:
        """Every unit, without relations: a province has hundreds, a country some thousands."""
        result = await self.session.scalars(select(OrgUnit))
        return result.all()

    async def list_groups(self) -> Sequence[tuple[int, str]]:
        result = await self.session.execute(select(UnitGroup.id, UnitGroup.code))
        return [(group_id, code) for group_id, code in result]

    async def group_names(self) -> Sequence[tuple[int, str, str, str]]:
        """(id, code, name_vi, name_en) of every group: sheets are named after either."""
        result = await self.session.execute(
            select(UnitGroup.id, UnitGroup.code, UnitGroup.name_vi, UnitGroup.name_en)
        )
        return [(group_id, code, name_vi, name_en) for group_id, code, name_vi, name_en in result]

    async def criteria_of_year(self, year: int) -> Sequence[CriterionRow]:
        """Every node of every criteria set of the year (leaves are told apart by the caller)."""
        result = await self.session.execute(
            select(
                CriteriaSet.group_id,
                CriteriaSet.id,
                Criterion.id,
                Criterion.code,
                Criterion.max_score,
                Criterion.method,
            )
            .join(Criterion, Criterion.criteria_set_id == CriteriaSet.id)
            .where(CriteriaSet.year == year)
        )
        return [CriterionRow(*row) for row in result]

    async def delete_scores(
        self, *, unit_ids: Sequence[int], criteria_set_ids: Sequence[int]
    ) -> None:
        criterion_ids = select(Criterion.id).where(Criterion.criteria_set_id.in_(criteria_set_ids))
        for chunk in chunked(unit_ids, ID_CHUNK):
            await self.session.execute(
                delete(LeafScore)
                .where(LeafScore.unit_id.in_(chunk), LeafScore.criterion_id.in_(criterion_ids))
                # The default ("auto") cannot evaluate the IN (subquery) in Python and falls back
                # to RETURNING every deleted id, a million for a large import; the session holds
                # no scores of these units, so there is nothing to synchronise.
                .execution_options(synchronize_session=False)
            )

    async def source_ids(self) -> dict[str, int]:
        result = await self.session.execute(select(Source.code, Source.id))
        return dict(result.all())

    async def published_of_year(self, year: int) -> Sequence[PublishedResult]:
        result = await self.session.scalars(
            select(PublishedResult)
            .where(PublishedResult.year == year)
            .options(joinedload(PublishedResult.source))
        )
        return result.all()

    def add(self, instance: PublishedResult) -> None:
        self.session.add(instance)
