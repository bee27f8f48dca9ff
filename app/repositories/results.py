"""What a (year, group) ranking is computed from: leaf scores, published results, lineage."""

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import BigInteger, ColumnElement, SQLColumnExpression, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.models import (
    CriteriaSet,
    Criterion,
    LeafScore,
    OrgUnit,
    PublishedGroupSummary,
    PublishedResult,
    UnitGroup,
    UnitLineage,
)

# Scores travel from the database as integers of ten-thousandths (their stored scale): exact
# on both databases, and several times cheaper to decode than NUMERIC → Decimal per row.
SCORE_UNITS = 10_000


def _scaled(column: SQLColumnExpression[Decimal | None]) -> ColumnElement[int]:
    return cast(func.round(column * SCORE_UNITS), BigInteger)


class LeafScoreRow(NamedTuple):
    unit_id: int
    criterion_id: int
    self_units: int | None
    final_units: int | None


class UnitTotalRow(NamedTuple):
    unit_id: int
    total_units: int | None  # Σ finals, penalties subtracted; None when no final score
    final_count: int


class ResultRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Both queries name the leaves by id rather than joining criterion: the planner then walks
    # the (criterion_id, unit_id) index for just this set instead of scanning every score.

    async def leaf_scores(self, leaf_ids: Sequence[int]) -> Sequence[LeafScoreRow]:
        """Every score on the given leaves (one criteria set's), in one round trip."""
        result = await self.session.execute(
            select(
                LeafScore.unit_id,
                LeafScore.criterion_id,
                _scaled(LeafScore.self_score),
                _scaled(LeafScore.final_score),
            ).where(LeafScore.criterion_id.in_(leaf_ids))
        )
        return [LeafScoreRow(*row) for row in result]

    async def unit_totals(
        self, leaf_ids: Sequence[int], penalty_ids: Sequence[int]
    ) -> Sequence[UnitTotalRow]:
        """Per unit: the total (Σ final, penalties subtracted) and how many leaves have a final.

        Summed in SQL over exact integers, so a ranking needs one row per unit, not per leaf.
        """
        final = _scaled(LeafScore.final_score)
        signed = (
            case((LeafScore.criterion_id.in_(penalty_ids), -final), else_=final)
            if penalty_ids
            else final
        )
        result = await self.session.execute(
            select(LeafScore.unit_id, func.sum(signed), func.count(LeafScore.final_score))
            .where(LeafScore.criterion_id.in_(leaf_ids))
            .group_by(LeafScore.unit_id)
        )
        return [
            UnitTotalRow(unit_id, None if total is None else int(total), int(count))
            for unit_id, total, count in result
        ]

    async def published_of_group(self, *, year: int, group_id: int) -> Sequence[PublishedResult]:
        result = await self.session.scalars(
            select(PublishedResult)
            .join(PublishedResult.unit)
            .where(PublishedResult.year == year, OrgUnit.group_id == group_id)
            .options(joinedload(PublishedResult.source))
        )
        return result.all()

    async def group_summary(self, *, year: int, group_id: int) -> PublishedGroupSummary | None:
        return await self.session.scalar(
            select(PublishedGroupSummary)
            .where(PublishedGroupSummary.year == year, PublishedGroupSummary.group_id == group_id)
            .options(joinedload(PublishedGroupSummary.source))
        )

    async def units_by_id(self, unit_ids: Sequence[int]) -> Sequence[OrgUnit]:
        if not unit_ids:
            return []
        result = await self.session.scalars(
            select(OrgUnit).where(OrgUnit.id.in_(unit_ids)).options(joinedload(OrgUnit.group))
        )
        return result.all()

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
