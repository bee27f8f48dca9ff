"""One group's snapshots of several years built together, from a handful of statements.

A unit's history shows every year of its group: built year by year that was six statements a
year (sixty for ten years) before any Python ran. Here each kind of row is read once for all
the years and the snapshots come out exactly as GroupResultService.group_year builds them
without detail: the same inputs, the same assembly.
"""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.messages import message
from app.repositories.group_years import GroupYearsRepository
from app.repositories.years import YearRepository
from app.services.publication.years import YearNotFound, YearService
from app.services.registry.units import UnitService
from app.services.results.group_year import GroupSummarySnapshot, GroupYear, UnitSnapshot
from app.services.results.group_year_builder import (
    GroupInputs,
    assemble_group_year,
    published_snapshot,
    tree_from_rows,
)
from app.services.results.score_units import from_units
from app.services.results.scoring import BandRule


async def build_group_years(
    session: AsyncSession,
    years: YearService,
    units: UnitService,
    wanted: Sequence[int],
    group: str,
) -> dict[int, GroupYear]:
    """The group's latest results (totals, not every leaf) in each of the `wanted` years."""
    stored = {
        found.year: found
        for found in await YearRepository(session).list_years()
        if years.visible(found)
    }
    for year in wanted:
        if year not in stored:
            raise YearNotFound(message("year.not-found", year=year))
    unit_group = await units.require_group(group)
    reads = GroupYearsRepository(session)
    members = {row.id: UnitSnapshot(*row) for row in await reads.units_of_group(unit_group.id)}
    trees = await reads.criteria_trees(years=wanted, group_id=unit_group.id)
    set_ids = [rows[0].set_id for rows in trees.values()]
    bands = await reads.bands(set_ids) if set_ids else {}
    totals = await reads.unit_totals(set_ids) if set_ids else {}
    published = await reads.published(years=wanted, group_id=unit_group.id)
    summaries = await reads.summaries(years=wanted, group_id=unit_group.id)
    built: dict[int, GroupYear] = {}
    for year in wanted:
        inputs = GroupInputs(detail=False)
        tree_rows = trees.get(year)
        if tree_rows:
            set_id = tree_rows[0].set_id
            inputs.tree = tree_from_rows(tree_rows)
            inputs.bands = tuple(
                BandRule(band.label_vi, band.label_en, band.min_index)
                for band in bands.get(set_id, ())
            )
            for total in totals.get(set_id, ()):
                inputs.totals[total.unit_id] = (from_units(total.total_units), total.final_count)
        inputs.published = {
            unit_id: published_snapshot(row) for unit_id, row in published.get(year, {}).items()
        }
        if year in summaries:
            inputs.summary = GroupSummarySnapshot(*summaries[year])
        built[year] = assemble_group_year(stored[year], unit_group, members, inputs, revision=None)
    return built
