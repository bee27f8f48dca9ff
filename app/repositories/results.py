"""What a (year, group) ranking is computed from: leaf scores, published results, lineage."""

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    SQLColumnExpression,
    and_,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.models import (
    Band,
    CriteriaSet,
    Criterion,
    LeafScore,
    LeafScoreTotal,
    OrgUnit,
    PublishedGroupSummary,
    PublishedResult,
    Source,
    UnitGroup,
    UnitLineage,
)

T = TypeVar("T")

# Scores travel from the database as integers of ten-thousandths (their stored scale): exact
# on both databases, and several times cheaper to decode than NUMERIC → Decimal per row.
SCORE_UNITS = 10_000


# Per leaf, its final scores as two parallel arrays (unit ids, finals; in the same order).
# PostgreSQL walks the (criterion_id, unit_id) index once per leaf, so every leaf's arrays
# come in unit order and line up with the other leaves' (fast to assemble; not relied on
# for correctness). NUMERIC(10, 4) × 10⁴ (SCORE_UNITS) is a whole number: the cast to
# bigint is exact.
LEAF_COLUMNS_SQL = {
    "postgresql": """
SELECT leaf.id, s.unit_ids, s.final_units
FROM unnest($1::integer[]) AS leaf(id),
LATERAL (
    SELECT array_agg(unit_id) AS unit_ids, array_agg((final_score * 10000)::bigint) AS final_units
    FROM leaf_score WHERE criterion_id = leaf.id
) AS s
WHERE s.unit_ids IS NOT NULL
""",
    "sqlite": """
SELECT criterion_id, json_group_array(unit_id),
       json_group_array(CAST(round(final_score * 10000) AS INTEGER))
FROM leaf_score WHERE criterion_id IN (SELECT value FROM json_each(:ids)) GROUP BY criterion_id
""",
}


def _scaled(column: SQLColumnExpression[Decimal | None]) -> ColumnElement[int]:
    return cast(func.round(column * SCORE_UNITS), BigInteger)


class LeafColumnRow(NamedTuple):
    """Every final score on one leaf: parallel arrays, in ten-thousandths (None: no score)."""

    criterion_id: int
    unit_ids: Sequence[int]
    final_units: Sequence[int | None]


class TreeRow(NamedTuple):
    """A criteria set with one of its nodes (criterion fields None for a set without nodes)."""

    set_id: int
    set_max_score: Decimal
    criterion_id: int | None
    code: str | None
    name_vi: str | None
    name_en: str | None
    max_score: Decimal | None
    method: str | None


class BandRow(NamedTuple):
    label_vi: str
    label_en: str
    min_index: Decimal


class PublishedRow(NamedTuple):
    unit_id: int
    index_value: Decimal | None
    published_rank: int | None
    published_position: str | None
    band_vi: str | None
    source_code: str
    note: str | None


class UnitRow(NamedTuple):
    id: int
    code: str
    name_vi: str
    name_en: str
    group_code: str
    valid_from: date | None
    valid_to: date | None


class UnitTotalRow(NamedTuple):
    unit_id: int
    total_units: int | None  # Σ finals, penalties subtracted; None when no final score
    final_count: int


_UNIT_COLUMNS = select(
    OrgUnit.id,
    OrgUnit.code,
    OrgUnit.name_vi,
    OrgUnit.name_en,
    UnitGroup.code,
    OrgUnit.valid_from_date,
    OrgUnit.valid_to_date,
).join(UnitGroup, UnitGroup.id == OrgUnit.group_id)


class ResultRepository:
    """Reads for results. They run as plain Core on the session's connection (no ORM
    objects): a cold ranking or breakdown is a handful of these, and ORM loading of
    hundreds of rows would cost more than the queries."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def criteria_tree(self, *, year: int, group_id: int) -> Sequence[TreeRow]:
        """The group's criteria set for the year with all its nodes; empty if it has none."""
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                CriteriaSet.id,
                CriteriaSet.max_score,
                Criterion.id,
                Criterion.code,
                Criterion.name_vi,
                Criterion.name_en,
                Criterion.max_score,
                Criterion.method,
            )
            .select_from(CriteriaSet)
            .outerjoin(Criterion, Criterion.criteria_set_id == CriteriaSet.id)
            .where(CriteriaSet.year == year, CriteriaSet.group_id == group_id)
        )
        return [TreeRow(*row) for row in result]

    async def bands(self, criteria_set_id: int) -> Sequence[BandRow]:
        connection = await self.session.connection()
        result = await connection.execute(
            select(Band.label_vi, Band.label_en, Band.min_index).where(
                Band.criteria_set_id == criteria_set_id
            )
        )
        return [BandRow(*row) for row in result]

    # Both queries name the leaves by id rather than joining criterion: the planner then walks
    # the (criterion_id, unit_id) index for just this set instead of scanning every score.

    async def leaf_columns(self, leaf_ids: Sequence[int]) -> Sequence[LeafColumnRow]:
        """Every final score on the given leaves (one criteria set's), one row per leaf.

        The database groups them: a group's 10⁴–10⁵ scores cross as a hundred rows of
        arrays, on PostgreSQL straight from asyncpg (SQLAlchemy's row handling would cost as
        much as the query).
        """
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            records = await raw.driver_connection.fetch(  # type: ignore[union-attr]
                LEAF_COLUMNS_SQL["postgresql"], list(leaf_ids)
            )
            return [LeafColumnRow(*record) for record in records]
        result = await connection.execute(
            text(LEAF_COLUMNS_SQL["sqlite"]), {"ids": json.dumps(list(leaf_ids))}
        )
        return [
            LeafColumnRow(leaf_id, json.loads(units), json.loads(finals))
            for leaf_id, units, finals in result
        ]

    async def self_scores(
        self, *, unit_id: int, year: int, group_code: str
    ) -> Sequence[tuple[str, int]]:
        """A unit's self-assessed scores on its group's criteria set of the year, by leaf code,
        in ten-thousandths (leaves without one left out)."""
        connection = await self.session.connection()
        result = await connection.execute(
            select(Criterion.code, _scaled(LeafScore.self_score))
            .join(Criterion, Criterion.id == LeafScore.criterion_id)
            .join(CriteriaSet, CriteriaSet.id == Criterion.criteria_set_id)
            .join(UnitGroup, UnitGroup.id == CriteriaSet.group_id)
            .where(
                LeafScore.unit_id == unit_id,
                LeafScore.self_score.is_not(None),
                CriteriaSet.year == year,
                UnitGroup.code == group_code,
            )
        )
        return [(code, units) for code, units in result]

    async def unit_totals(self, criteria_set_id: int) -> Sequence[UnitTotalRow]:
        """Per unit with scores in the set: the total (Σ final, penalties subtracted) and how
        many leaves have a final.

        Read from leaf_score_total, which the database keeps equal to the leaf scores in the
        statement that writes them (see LeafScoreTotal): one row per unit, nothing added up
        at read time.
        """
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                LeafScoreTotal.unit_id, LeafScoreTotal.final_units, LeafScoreTotal.final_count
            ).where(LeafScoreTotal.criteria_set_id == criteria_set_id)
        )
        return [
            UnitTotalRow(unit_id, units if count else None, count)
            for unit_id, units, count in result
        ]

    async def group_summary(self, *, year: int, group_id: int) -> PublishedGroupSummary | None:
        return await self.session.scalar(
            select(PublishedGroupSummary)
            .where(PublishedGroupSummary.year == year, PublishedGroupSummary.group_id == group_id)
            .options(joinedload(PublishedGroupSummary.source))
        )

    async def units_by_id(self, unit_ids: Sequence[int]) -> Sequence[UnitRow]:
        if not unit_ids:
            return []
        connection = await self.session.connection()
        result = await connection.execute(_UNIT_COLUMNS.where(OrgUnit.id.in_(unit_ids)))
        return [UnitRow(*row) for row in result]

    async def units_of_group(
        self, *, group_id: int, year: int
    ) -> Sequence[tuple[UnitRow, PublishedRow | None]]:
        """The group's units, each with what a source published for it in `year` if anything
        (one query for both: a cold ranking reads them for two years)."""
        connection = await self.session.connection()
        result = await connection.execute(
            _UNIT_COLUMNS.add_columns(
                PublishedResult.id,
                PublishedResult.index_value,
                PublishedResult.published_rank,
                PublishedResult.published_position,
                PublishedResult.band_vi,
                Source.code,
                PublishedResult.note,
            )
            .outerjoin(
                PublishedResult,
                and_(PublishedResult.unit_id == OrgUnit.id, PublishedResult.year == year),
            )
            .outerjoin(Source, Source.id == PublishedResult.source_id)
            .where(OrgUnit.group_id == group_id)
        )
        return [
            (
                UnitRow(*row[:7]),
                None if row[7] is None else PublishedRow(row[0], *row[8:]),
            )
            for row in result
        ]

    async def all_lineage(self) -> Sequence[UnitLineage]:
        """The whole lineage table: a province has tens of events, a country a few thousand."""
        result = await self.session.scalars(
            select(UnitLineage).order_by(UnitLineage.effective_date, UnitLineage.id)
        )
        return result.all()


class YearScoreRow(NamedTuple):
    group_code: str
    unit_id: int
    criterion_code: str
    self_score: Decimal | None
    final_score: Decimal | None
    note: str | None


class YearStateRepository:
    """The whole state of one year, for publication snapshots."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def criteria_sets(self, year: int) -> Sequence[CriteriaSet]:
        result = await self.session.scalars(
            select(CriteriaSet)
            .where(CriteriaSet.year == year)
            .options(
                joinedload(CriteriaSet.group),
                selectinload(CriteriaSet.criteria),
                selectinload(CriteriaSet.bands),
            )
        )
        return result.all()

    async def leaf_scores(self, year: int) -> Sequence[YearScoreRow]:
        result = await self.session.execute(
            select(
                UnitGroup.code,
                LeafScore.unit_id,
                Criterion.code,
                LeafScore.self_score,
                LeafScore.final_score,
                LeafScore.note,
            )
            .join(Criterion, LeafScore.criterion_id == Criterion.id)
            .join(CriteriaSet, Criterion.criteria_set_id == CriteriaSet.id)
            .join(UnitGroup, CriteriaSet.group_id == UnitGroup.id)
            .where(CriteriaSet.year == year)
        )
        return [YearScoreRow(*row) for row in result]

    async def published(self, year: int) -> Sequence[PublishedResult]:
        result = await self.session.scalars(
            select(PublishedResult)
            .where(PublishedResult.year == year)
            .options(joinedload(PublishedResult.source))
        )
        return result.all()

    async def summaries(self, year: int) -> Sequence[PublishedGroupSummary]:
        result = await self.session.scalars(
            select(PublishedGroupSummary)
            .where(PublishedGroupSummary.year == year)
            .options(
                joinedload(PublishedGroupSummary.source), joinedload(PublishedGroupSummary.group)
            )
        )
        return result.all()
