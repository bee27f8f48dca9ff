"""Bulk SQL for imports: lookups loaded once, a file's units' stored scores, delete and COPY."""

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import NamedTuple, TypeVar

from sqlalchemy import delete, insert, select
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
INSERT_CHUNK = 10_000
SCORE_COLUMNS = ("unit_id", "criterion_id", "self_score", "final_score", "note")
STORED_SCORES_SQL = """
SELECT unit_id, criterion_id, self_score, final_score, note FROM leaf_score
WHERE unit_id = ANY($1::int[])
  AND criterion_id IN (SELECT id FROM criterion WHERE criteria_set_id = ANY($2::int[]))
"""

T = TypeVar("T")
ScoreRecord = tuple[int, int, Decimal | None, Decimal | None, str | None]


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

    async def stored_scores(
        self, *, unit_ids: Sequence[int], criteria_set_ids: Sequence[int]
    ) -> Sequence[ScoreRecord]:
        """The units' scores on the given criteria sets, in one query per 5,000 units.

        On PostgreSQL the rows come straight from asyncpg (one query, the ids as arrays):
        SQLAlchemy's row handling costs more than the query itself at a million rows.
        """
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            records: Sequence[ScoreRecord] = await raw.driver_connection.fetch(  # type: ignore[union-attr]
                STORED_SCORES_SQL, list(unit_ids), list(criteria_set_ids)
            )
            return records
        criterion_ids = select(Criterion.id).where(Criterion.criteria_set_id.in_(criteria_set_ids))
        rows: list[ScoreRecord] = []
        for chunk in chunked(unit_ids, ID_CHUNK):
            result = await self.session.execute(
                select(
                    LeafScore.unit_id,
                    LeafScore.criterion_id,
                    LeafScore.self_score,
                    LeafScore.final_score,
                    LeafScore.note,
                ).where(LeafScore.unit_id.in_(chunk), LeafScore.criterion_id.in_(criterion_ids))
            )
            rows.extend(result.all())
        return rows

    async def delete_scores(
        self, *, unit_ids: Sequence[int], criteria_set_ids: Sequence[int]
    ) -> None:
        criterion_ids = select(Criterion.id).where(Criterion.criteria_set_id.in_(criteria_set_ids))
        for chunk in chunked(unit_ids, ID_CHUNK):
            await self.session.execute(
                delete(LeafScore).where(
                    LeafScore.unit_id.in_(chunk), LeafScore.criterion_id.in_(criterion_ids)
                )
            )

    async def insert_scores(self, records: Iterable[ScoreRecord]) -> None:
        """Bulk insert in the session's transaction: COPY on PostgreSQL, executemany elsewhere."""
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                LeafScore.__tablename__, records=records, columns=SCORE_COLUMNS
            )
            return
        for chunk in chunked(records, INSERT_CHUNK):
            await connection.execute(
                insert(LeafScore),
                [dict(zip(SCORE_COLUMNS, record, strict=True)) for record in chunk],
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
