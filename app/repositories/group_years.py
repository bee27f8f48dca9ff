"""Reads for one group over several years at once: a unit's history shows every year.

Each method answers for all the years (or criteria sets) in one statement, where reading them
year by year cost six statements a year. Rows come back in the shapes ResultRepository uses.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import (
    Band,
    CriteriaSet,
    Criterion,
    LeafScoreTotal,
    OrgUnit,
    PublishedGroupSummary,
    PublishedResult,
    Source,
    UnitGroup,
)
from app.repositories.results import BandRow, PublishedRow, TreeRow, UnitRow, UnitTotalRow


class GroupYearsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def units_of_group(self, group_id: int) -> Sequence[UnitRow]:
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                OrgUnit.id,
                OrgUnit.code,
                OrgUnit.name_vi,
                OrgUnit.name_en,
                UnitGroup.code,
                OrgUnit.valid_from_date,
                OrgUnit.valid_to_date,
            )
            .join(UnitGroup, UnitGroup.id == OrgUnit.group_id)
            .where(OrgUnit.group_id == group_id)
        )
        return [UnitRow(*row) for row in result]

    async def criteria_trees(
        self, *, years: Sequence[int], group_id: int
    ) -> dict[int, list[TreeRow]]:
        """The group's criteria set of each year with all its nodes, by year."""
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                CriteriaSet.year,
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
            .where(CriteriaSet.year.in_(years), CriteriaSet.group_id == group_id)
        )
        trees: dict[int, list[TreeRow]] = {}
        for row in result:
            trees.setdefault(row[0], []).append(TreeRow(*row[1:]))
        return trees

    async def bands(self, set_ids: Sequence[int]) -> dict[int, list[BandRow]]:
        connection = await self.session.connection()
        result = await connection.execute(
            select(Band.criteria_set_id, Band.label_vi, Band.label_en, Band.min_index)
            .where(Band.criteria_set_id.in_(set_ids))
            .order_by(Band.id)
        )
        bands: dict[int, list[BandRow]] = {}
        for row in result:
            bands.setdefault(row[0], []).append(BandRow(*row[1:]))
        return bands

    async def unit_totals(self, set_ids: Sequence[int]) -> dict[int, list[UnitTotalRow]]:
        """Per criteria set, its units' totals as ResultRepository.unit_totals gives them."""
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                LeafScoreTotal.criteria_set_id,
                LeafScoreTotal.unit_id,
                LeafScoreTotal.final_units,
                LeafScoreTotal.final_count,
            ).where(LeafScoreTotal.criteria_set_id.in_(set_ids))
        )
        totals: dict[int, list[UnitTotalRow]] = {}
        for set_id, unit_id, units, count in result:
            totals.setdefault(set_id, []).append(
                UnitTotalRow(unit_id, units if count else None, count)
            )
        return totals

    async def published(
        self, *, years: Sequence[int], group_id: int
    ) -> dict[int, dict[int, PublishedRow]]:
        """What sources published for the group's units, by year and unit."""
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                PublishedResult.year,
                PublishedResult.unit_id,
                PublishedResult.index_value,
                PublishedResult.published_rank,
                PublishedResult.published_position,
                PublishedResult.band_vi,
                Source.code,
                PublishedResult.note,
            )
            .join(OrgUnit, OrgUnit.id == PublishedResult.unit_id)
            .join(Source, Source.id == PublishedResult.source_id)
            .where(PublishedResult.year.in_(years), OrgUnit.group_id == group_id)
        )
        published: dict[int, dict[int, PublishedRow]] = {}
        for row in result:
            found = PublishedRow(*row[1:])
            published.setdefault(row[0], {})[found.unit_id] = found
        return published

    async def summaries(
        self, *, years: Sequence[int], group_id: int
    ) -> dict[int, tuple[int | None, dict[str, int] | None, str | None, str]]:
        """What a source said of the whole group, by year: unit count, band counts, note,
        source code."""
        connection = await self.session.connection()
        result = await connection.execute(
            select(
                PublishedGroupSummary.year,
                PublishedGroupSummary.unit_count,
                PublishedGroupSummary.band_counts,
                PublishedGroupSummary.note,
                Source.code,
            )
            .join(Source, Source.id == PublishedGroupSummary.source_id)
            .where(
                PublishedGroupSummary.year.in_(years), PublishedGroupSummary.group_id == group_id
            )
        )
        return {year: (count, bands, note, source) for year, count, bands, note, source in result}
