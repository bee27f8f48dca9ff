"""The service that builds GroupYear snapshots from the database and caches them per revision."""

from collections.abc import Hashable, Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.messages import message
from app.core.result_cache import ResultCache
from app.models.enums import LineageKind
from app.repositories.results import SCORE_UNITS, ResultRepository
from app.repositories.revision import RevisionRepository
from app.services.access.viewer import Viewer
from app.services.publication.snapshots import load_snapshot
from app.services.publication.years import YearNotFound, YearService
from app.services.registry.units import UnitService
from app.services.results.group_year import GroupSummarySnapshot, GroupYear, UnitSnapshot
from app.services.results.group_year_builder import (
    GroupInputs,
    assemble_group_year,
    inputs_from_snapshot,
    published_snapshot,
    tree_from_rows,
)
from app.services.results.group_years import build_group_years
from app.services.results.lineage import LineageEdge
from app.services.results.score_units import from_units
from app.services.results.scoring import BandRule


class GroupResultService:
    """Builds GroupYear snapshots from the database, through the revision-checked cache."""

    def __init__(self, session: AsyncSession, cache: ResultCache, *, years: YearService) -> None:
        self.session = session
        self.cache = cache
        self.results = ResultRepository(session)
        # Decides, for the viewer it was built for, which years exist at all.
        self.years = years
        self.units = UnitService(session)
        self._synced = False
        # The data revision this request's reads are at least as new as (see sync).
        self.read_revision: int | None = None

    @property
    def viewer(self) -> Viewer:
        """Who the results are for; a draft year exists for the editorial side only."""
        return self.years.viewer

    async def sync(self) -> None:
        """Check the data revision (at most once per request and per check interval).

        The revision is read (or trusted) before any data, so everything this request reads
        afterwards is at least that new: results it builds are stored under that revision
        only (ResultCache.put), never under a newer one another request moved the cache to.
        """
        if self._synced:
            return
        if self.cache.needs_check():
            reading = self.cache.begin_reading()
            revision = await RevisionRepository(self.session).current()
            self.cache.sync(revision, reading)
            # What this session read, even where the cache keeps a newer reading than it.
            self.read_revision = revision
        else:
            self.read_revision = self.cache.revision
        self._synced = True

    def keep(self, key: Hashable, value: object) -> None:
        """Cache a result this request built, under the revision its data was read at."""
        self.cache.put(key, value, revision=self.read_revision)

    async def group_year(
        self, *, year: int, group: str, revision: int | None = None, detail: bool = False
    ) -> GroupYear:
        """The group's results at a published revision (default: the latest state).

        Without `detail` each unit carries its total, index and rank only, summed by the
        database; with it, every leaf score too (breakdowns, improvements, criterion ranks).
        """
        await self.sync()
        cached = self.cache.get(("group_year", year, group, revision, True))
        if not detail and cached is None:
            cached = self.cache.get(("group_year", year, group, revision, False))
        if isinstance(cached, GroupYear):
            # Cached for every viewer alike: whether this one may see the year is checked here.
            if not self.viewer.sees(cached.status):
                raise YearNotFound(message("year.not-found", year=year))
            return cached
        built = await self._build(year=year, group=group, revision=revision, detail=detail)
        self.keep(("group_year", year, group, revision, built.detail), built)
        return built

    async def group_years(self, *, years: Sequence[int], group: str) -> dict[int, GroupYear]:
        """The group's latest results in each of `years`, the ones not cached built together
        (a few statements for all the years, where group_year takes six per year).

        Each is cached under the key group_year uses, so either finds what the other built.
        """
        await self.sync()
        found: dict[int, GroupYear] = {}
        for year in years:
            cached = self.cache.get(("group_year", year, group, None, True))
            if cached is None:
                cached = self.cache.get(("group_year", year, group, None, False))
            if isinstance(cached, GroupYear):
                if not self.viewer.sees(cached.status):
                    raise YearNotFound(message("year.not-found", year=year))
                found[year] = cached
        missing = [year for year in years if year not in found]
        if missing:
            built = await build_group_years(self.session, self.years, self.units, missing, group)
            for year, group_year in built.items():
                self.keep(("group_year", year, group, None, False), group_year)
                found[year] = group_year
        return found

    async def self_scores(self, group_year: GroupYear, unit_id: int) -> dict[str, Decimal]:
        """A unit's self-assessed leaf scores in `group_year`, by leaf code.

        Group snapshots carry final scores only: self scores show in a unit's own breakdown,
        so they are read for that unit alone (from the revision snapshot for an old revision).
        """
        if group_year.from_snapshot:
            snapshot = await load_snapshot(
                self.session, year=group_year.year, revision=group_year.revision
            )
            part = snapshot["groups"].get(group_year.group_code)
            return {
                code: Decimal(self_score)
                for scored_unit, code, self_score, _final, _note in (part or {}).get("scores", [])
                if scored_unit == unit_id and self_score is not None
            }
        rows = await self.results.self_scores(
            unit_id=unit_id, year=group_year.year, group_code=group_year.group_code
        )
        return {code: Decimal(units) / SCORE_UNITS for code, units in rows}

    async def year_exists(self, year: int) -> bool:
        return await self.years.year_exists(year)

    async def lineage_edges(self) -> tuple[LineageEdge, ...]:
        await self.sync()
        cached = self.cache.get("lineage")
        if isinstance(cached, tuple):
            return cached
        edges = tuple(
            LineageEdge(e.predecessor_id, e.successor_id, LineageKind(e.kind), e.effective_date)
            for e in await self.results.all_lineage()
        )
        self.keep("lineage", edges)
        return edges

    async def units_as_of_dates(self) -> dict[int, date]:
        """Each year's lineage cut-off (see lineage.changes_between_years)."""
        await self.sync()
        cached = self.cache.get("units_as_of")
        if isinstance(cached, dict):
            return cached
        cut_offs = await self.years.units_as_of_dates()
        self.keep("units_as_of", cut_offs)
        return cut_offs

    async def unit_snapshots(self, unit_ids: Iterable[int]) -> dict[int, UnitSnapshot]:
        return {row.id: row for row in await self.results.units_by_id(sorted(unit_ids))}

    async def _build(
        self, *, year: int, group: str, revision: int | None, detail: bool
    ) -> GroupYear:
        assessment_year = await self.years.require_year(year)
        unit_group = await self.units.require_group(group)
        group_units = await self.results.units_of_group(group_id=unit_group.id, year=year)
        units = {unit.id: unit for unit, _ in group_units}
        if revision is None or revision == assessment_year.revision:
            inputs = await self._live_inputs(year=year, group_id=unit_group.id, detail=detail)
            inputs.published = {
                unit.id: published_snapshot(published)
                for unit, published in group_units
                if published is not None
            }
        else:
            # Snapshots of superseded revisions hold every leaf: always in detail.
            inputs = await self._snapshot_inputs(year=year, group=group, revision=revision)
        return assemble_group_year(assessment_year, unit_group, units, inputs, revision=revision)

    async def _live_inputs(self, *, year: int, group_id: int, detail: bool) -> GroupInputs:
        inputs = GroupInputs(detail=detail)
        tree_rows = await self.results.criteria_tree(year=year, group_id=group_id)
        if tree_rows:
            inputs.tree = tree_from_rows(tree_rows)
            inputs.bands = tuple(
                BandRule(band.label_vi, band.label_en, band.min_index)
                for band in await self.results.bands(tree_rows[0].set_id)
            )
            leaves = [
                (row.criterion_id, row.code, row.method)
                for row in tree_rows
                if row.criterion_id is not None
                and row.code is not None
                and inputs.tree.nodes[row.code].is_leaf
            ]
            leaf_ids = [criterion_id for criterion_id, _, _ in leaves]
            if detail:
                by_code = {code: criterion_id for criterion_id, code, _ in leaves}
                inputs.add_leaf_columns(
                    await self.results.leaf_columns(leaf_ids),
                    [by_code[code] for code in inputs.tree.leaf_codes],
                )
            else:
                for total in await self.results.unit_totals(tree_rows[0].set_id):
                    inputs.totals[total.unit_id] = (
                        from_units(total.total_units),
                        total.final_count,
                    )
        summary = await self.results.group_summary(year=year, group_id=group_id)
        if summary is not None:
            inputs.summary = GroupSummarySnapshot(
                unit_count=summary.unit_count,
                band_counts=summary.band_counts,
                note=summary.note,
                source=summary.source.code,
            )
        return inputs

    async def _snapshot_inputs(self, *, year: int, group: str, revision: int) -> GroupInputs:
        """Rebuild inputs from the snapshot kept when a later correction superseded `revision`."""
        snapshot = await load_snapshot(self.session, year=year, revision=revision)
        return inputs_from_snapshot(snapshot, group)
