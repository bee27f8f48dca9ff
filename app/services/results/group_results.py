"""A (year, group) snapshot: every unit's scores, total, index, band and rank, computed once."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.result_cache import ResultCache
from app.models import OrgUnit
from app.models.enums import LineageKind, ScoringMethod, YearStatus
from app.repositories.results import SCORE_UNITS, PublishedRow, ResultRepository, TreeRow
from app.repositories.revision import RevisionRepository
from app.services.publication.snapshots import as_decimal, load_snapshot
from app.services.registry.units import UnitService
from app.services.registry.years import YearNotFound, YearService
from app.services.results.lineage import LineageEdge
from app.services.results.ranking_rules import rank_with_ties
from app.services.results.score_units import LeafScores, from_units, signed_total, to_units
from app.services.results.scoring import BandRule, Tree, band_for, build_tree, index_of

LeafKey = TypeVar("LeafKey", int, str)  # a leaf by criterion id (live) or code (snapshot)
IndexBasis = Literal["leaf_scores", "published_index", "published_rank", "none"]


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    id: int
    code: str
    name_vi: str
    name_en: str
    group_code: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class PublishedSnapshot:
    index: Decimal | None
    rank: int | None
    position: str | None
    band_vi: str | None
    source: str
    note: str | None


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    unit: UnitSnapshot
    finals: Mapping[str, Decimal]  # with detail only; self scores: GroupResultService.self_scores
    missing_leaves: int
    total: Decimal | None
    index: Decimal | None
    basis: IndexBasis
    band: BandRule | None
    published: PublishedSnapshot | None
    rank: int | None = None
    tie_size: int = 0

    @property
    def has_scores(self) -> bool:
        return self.basis == "leaf_scores"

    def ranked(self, rank: int | None, tie_size: int) -> "UnitOutcome":
        """This outcome with its rank (dataclasses.replace, without its per-call field scan)."""
        return UnitOutcome(
            self.unit,
            self.finals,
            self.missing_leaves,
            self.total,
            self.index,
            self.basis,
            self.band,
            self.published,
            rank,
            tie_size,
        )


@dataclass(frozen=True)
class GroupSummarySnapshot:
    unit_count: int | None
    band_counts: Mapping[str, int] | None
    note: str | None
    source: str


@dataclass(frozen=True)
class GroupYear:
    year: int
    status: str
    revision: int
    group_code: str
    group_name_vi: str
    group_name_en: str
    tree: Tree | None
    bands: tuple[BandRule, ...]
    outcomes: tuple[UnitOutcome, ...]
    summary: GroupSummarySnapshot | None
    # Whether outcomes carry every leaf's final score, not only totals.
    detail: bool = True
    # Built from the snapshot kept for a superseded revision rather than the live tables.
    from_snapshot: bool = False

    @cached_property
    def _by_unit(self) -> dict[int, UnitOutcome]:
        return {outcome.unit.id: outcome for outcome in self.outcomes}

    def outcome_of(self, unit_id: int) -> UnitOutcome | None:
        return self._by_unit.get(unit_id)


def snapshot_unit(unit: OrgUnit) -> UnitSnapshot:
    return UnitSnapshot(
        id=unit.id,
        code=unit.code,
        name_vi=unit.name_vi,
        name_en=unit.name_en,
        group_code=unit.group.code,
        valid_from=unit.valid_from_date,
        valid_to=unit.valid_to_date,
    )


def _published(row: PublishedRow) -> PublishedSnapshot:
    return PublishedSnapshot(
        index=row.index_value,
        rank=row.published_rank,
        position=row.published_position,
        band_vi=row.band_vi,
        source=row.source_code,
        note=row.note,
    )


def rank_outcomes(drafts: list[UnitOutcome]) -> tuple[UnitOutcome, ...]:
    """Order and rank unranked outcomes (ranking_rules.RANKING_RULE states the rule in words)."""
    codes = {draft.unit.id: draft.unit.code for draft in drafts}
    by_id = {draft.unit.id: draft for draft in drafts}
    indexed = [(draft.unit.id, draft.index) for draft in drafts if draft.index is not None]
    ranked = [
        by_id[r.key].ranked(r.rank, r.tie_size) for r in rank_with_ties(indexed, sort_key=codes)
    ]
    rank_only = sorted(
        (d for d in drafts if d.index is None and d.published and d.published.rank),
        key=lambda d: (d.published.rank if d.published else 0, d.unit.code),
    )
    published_ranks = Counter(d.published.rank for d in rank_only if d.published)
    for draft in rank_only:
        published_rank = draft.published.rank if draft.published else None
        if indexed:
            ranked.append(draft)
        else:
            ranked.append(draft.ranked(published_rank, published_ranks[published_rank]))
    rest = sorted(
        (d for d in drafts if d.index is None and not (d.published and d.published.rank)),
        key=lambda d: d.unit.code,
    )
    return (*ranked, *rest)


class GroupResultService:
    """Builds GroupYear snapshots from the database, through the revision-checked cache."""

    def __init__(
        self, session: AsyncSession, cache: ResultCache, *, drafts_visible: bool = True
    ) -> None:
        self.session = session
        self.cache = cache
        self.results = ResultRepository(session)
        self.years = YearService(session, drafts_visible=drafts_visible)
        self.units = UnitService(session)
        self._synced = False

    async def sync(self) -> None:
        """Check the data revision (at most once per request and per check interval)."""
        if not self._synced and self.cache.needs_check():
            self.cache.sync(await RevisionRepository(self.session).current())
        self._synced = True

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
            if cached.status == YearStatus.DRAFT and not self.years.drafts_visible:
                raise YearNotFound(f"No assessment year {year}.")
            return cached
        built = await self._build(year=year, group=group, revision=revision, detail=detail)
        self.cache.put(("group_year", year, group, revision, built.detail), built)
        return built

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
        self.cache.put("lineage", edges)
        return edges

    async def unit_snapshots(self, unit_ids: Iterable[int]) -> dict[int, UnitSnapshot]:
        return {
            row.id: UnitSnapshot(*row) for row in await self.results.units_by_id(sorted(unit_ids))
        }

    async def _build(
        self, *, year: int, group: str, revision: int | None, detail: bool
    ) -> GroupYear:
        assessment_year = await self.years.require_year(year)
        unit_group = await self.units.require_group(group)
        group_units = await self.results.units_of_group(group_id=unit_group.id, year=year)
        # Results of units now in another group (none, unless a unit moved) are left out.
        units = {unit.id: UnitSnapshot(*unit) for unit, _ in group_units}
        if revision is None or revision == assessment_year.revision:
            inputs = await self._live_inputs(year=year, group_id=unit_group.id, detail=detail)
            inputs.published = {
                unit.id: _published(published)
                for unit, published in group_units
                if published is not None
            }
        else:
            # Snapshots of superseded revisions hold every leaf: always in detail.
            inputs = await self._snapshot_inputs(year=year, group=group, revision=revision)
        unit_ids = sorted(inputs.listed | set(inputs.totals) | set(inputs.published))
        drafts = [
            _draft(
                units[uid],
                inputs.tree,
                inputs.bands,
                inputs.finals.get(uid),
                inputs.published.get(uid),
                inputs.totals.get(uid),
            )
            for uid in unit_ids
            if uid in units
        ]
        return GroupYear(
            year=year,
            status=assessment_year.status,
            revision=revision if revision is not None else assessment_year.revision,
            group_code=unit_group.code,
            group_name_vi=unit_group.name_vi,
            group_name_en=unit_group.name_en,
            tree=inputs.tree,
            bands=inputs.bands,
            outcomes=rank_outcomes(drafts),
            summary=inputs.summary,
            detail=inputs.detail,
            from_snapshot=inputs.from_snapshot,
        )

    async def _live_inputs(self, *, year: int, group_id: int, detail: bool) -> "GroupInputs":
        inputs = GroupInputs(detail=detail)
        tree_rows = await self.results.criteria_tree(year=year, group_id=group_id)
        if tree_rows:
            inputs.tree = _tree(tree_rows)
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
                penalty_ids = [
                    criterion_id
                    for criterion_id, _, method in leaves
                    if method == ScoringMethod.PENALTY.value
                ]
                for total in await self.results.unit_totals(leaf_ids, penalty_ids):
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

    async def _snapshot_inputs(self, *, year: int, group: str, revision: int) -> "GroupInputs":
        """Rebuild inputs from the snapshot kept when a later correction superseded `revision`."""
        snapshot = await load_snapshot(self.session, year=year, revision=revision)
        inputs = GroupInputs(from_snapshot=True)
        part = snapshot["groups"].get(group)
        if part is not None:
            inputs.tree = build_tree(
                (
                    (code, vi, en, Decimal(maximum), ScoringMethod(method) if method else None)
                    for code, vi, en, maximum, method in part["criteria"]
                ),
                Decimal(part["max_score"]),
            )
            inputs.bands = tuple(BandRule(vi, en, Decimal(low)) for vi, en, low in part["bands"])
            by_leaf: dict[str, tuple[list[int], list[int | None]]] = {}
            for unit_id, code, _self, final_score, _note in part["scores"]:
                unit_ids, finals = by_leaf.setdefault(code, ([], []))
                unit_ids.append(unit_id)
                finals.append(_units(final_score))
            inputs.add_leaf_columns(
                ((code, *columns) for code, columns in by_leaf.items()),
                inputs.tree.leaf_codes,
            )
        for unit_id, index, rank, position, band_vi, source, note in snapshot["published"]:
            inputs.published[unit_id] = PublishedSnapshot(
                as_decimal(index), rank, position, band_vi, source, note
            )
        summary = snapshot["summaries"].get(group)
        if summary is not None:
            inputs.summary = GroupSummarySnapshot(*summary)
        return inputs


def _units(text: str | None) -> int | None:
    """A snapshot's score (a decimal string) as ten-thousandths."""
    value = as_decimal(text)
    return None if value is None else to_units(value)


@dataclass
class GroupInputs:
    """What a group's results are computed from, read live or from a revision snapshot."""

    tree: Tree | None = None
    bands: tuple[BandRule, ...] = ()
    # With detail: per unit, final scores in ten-thousandths by leaf position.
    finals: dict[int, Sequence[int | None]] = field(default_factory=dict)
    published: dict[int, PublishedSnapshot] = field(default_factory=dict)
    summary: GroupSummarySnapshot | None = None
    # Without detail: per unit (total, number of leaves with a final score) instead of leaves.
    totals: dict[int, tuple[Decimal | None, int]] = field(default_factory=dict)
    # Units with a leaf score row, even one without scores (as `totals` lists them).
    listed: set[int] = field(default_factory=set)
    detail: bool = True
    from_snapshot: bool = False

    def add_leaf_columns(
        self,
        columns: Iterable[tuple[LeafKey, Sequence[int], Sequence[int | None]]],
        leaf_keys: Sequence[LeafKey],
    ) -> None:
        """Final scores as (leaf key, unit ids, finals) per leaf; `leaf_keys` are the leaves'
        criterion ids (live) or codes (snapshot) in the tree's leaf order.

        Whole columns move through zip and map: when every leaf lists its units in the same
        order (the common case) no score is touched one by one.
        """
        by_key = {key: (units, finals) for key, units, finals in columns}
        if not by_key or not leaf_keys:
            return
        blocks = list(by_key.values())
        units = blocks[0][0]
        aligned = all(block[0] == units for block in blocks)
        if not aligned:
            units = sorted(set().union(*(block[0] for block in blocks)))
        self.listed.update(units)
        missing = (None,) * len(units)

        def column(key: LeafKey) -> Sequence[int | None]:
            block = by_key.get(key)
            if block is None:
                return missing
            if aligned:
                return block[1]
            return list(map(dict(zip(*block, strict=True)).get, units))

        leaf_columns = [column(key) for key in leaf_keys]
        for unit_id, row in zip(units, zip(*leaf_columns, strict=True), strict=True):
            if row.count(None) < len(row):
                self.finals[unit_id] = row


def _tree(rows: Sequence[TreeRow]) -> Tree:
    return build_tree(
        (
            (
                row.code,
                row.name_vi or "",
                row.name_en or "",
                row.max_score if row.max_score is not None else Decimal(0),
                ScoringMethod(row.method) if row.method else None,
            )
            for row in rows
            if row.code is not None
        ),
        rows[0].set_max_score,
    )


def _draft(
    unit: UnitSnapshot,
    tree: Tree | None,
    bands: tuple[BandRule, ...],
    finals: Sequence[int | None] | None,
    published: PublishedSnapshot | None,
    summed: tuple[Decimal | None, int] | None = None,
) -> UnitOutcome:
    """A unit's unranked outcome: the index from its leaf scores if any, else as published.

    `finals` are the unit's final scores in ten-thousandths by leaf position, when leaves
    were loaded; `summed` is the (total, leaves with a final) the database added up, when
    they were not. Both ways give the same total.
    """
    total: Decimal | None = None
    missing = 0
    final_scores: Mapping[str, Decimal] = {}
    if tree is not None and finals is not None:
        total = from_units(signed_total(tree, finals))
        missing = finals.count(None)
        final_scores = LeafScores(tree, finals)
    elif tree is not None and summed is not None and summed[1] > 0:
        total, missing = summed[0], len(tree.leaf_codes) - summed[1]
    if tree is not None and total is not None:
        index = index_of(total, tree.max_score)
        return UnitOutcome(
            unit,
            final_scores,
            missing,
            total,
            index,
            "leaf_scores",
            band_for(index, bands),
            published,
        )
    if published is not None and published.index is not None:
        band = band_for(published.index, bands) if bands else None
        return UnitOutcome(unit, {}, 0, None, published.index, "published_index", band, published)
    basis: IndexBasis = "published_rank" if published and published.rank else "none"
    return UnitOutcome(unit, {}, 0, None, None, basis, None, published)
