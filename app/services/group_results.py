"""A (year, group) snapshot: every unit's scores, total, index, band and rank, computed once."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CriteriaSet, OrgUnit, PublishedResult
from app.models.enums import LineageKind, ScoringMethod, YearStatus
from app.repositories.criteria import CriteriaRepository
from app.repositories.results import SCORE_UNITS, ResultRepository
from app.repositories.revision import RevisionRepository
from app.services.lineage import LineageEdge
from app.services.ranking_rules import rank_with_ties
from app.services.result_cache import ResultCache
from app.services.scoring import BandRule, Tree, band_for, build_tree, index_of, total_score
from app.services.snapshots import as_decimal, load_snapshot
from app.services.units import UnitService
from app.services.years import YearNotFound, YearService

IndexBasis = Literal["leaf_scores", "published_index", "published_rank", "none"]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class UnitOutcome:
    unit: UnitSnapshot
    finals: Mapping[str, Decimal]
    selfs: Mapping[str, Decimal]
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
    # Whether outcomes carry every leaf score (finals/selfs), not only totals.
    detail: bool = True

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


def _published(row: PublishedResult) -> PublishedSnapshot:
    return PublishedSnapshot(
        index=row.index_value,
        rank=row.published_rank,
        position=row.published_position,
        band_vi=row.band_vi,
        source=row.source.code,
        note=row.note,
    )


def rank_outcomes(drafts: list[UnitOutcome]) -> tuple[UnitOutcome, ...]:
    """Order and rank unranked outcomes (ranking_rules.RANKING_RULE states the rule in words)."""
    codes = {draft.unit.id: draft.unit.code for draft in drafts}
    by_id = {draft.unit.id: draft for draft in drafts}
    indexed = [(draft.unit.id, draft.index) for draft in drafts if draft.index is not None]
    ranked = [
        replace(by_id[r.key], rank=r.rank, tie_size=r.tie_size)
        for r in rank_with_ties(indexed, sort_key=codes)
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
            ranked.append(
                replace(draft, rank=published_rank, tie_size=published_ranks[published_rank])
            )
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
        self.criteria = CriteriaRepository(session)
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
            unit.id: snapshot_unit(unit)
            for unit in await self.results.units_by_id(sorted(unit_ids))
        }

    async def _build(
        self, *, year: int, group: str, revision: int | None, detail: bool
    ) -> GroupYear:
        assessment_year = await self.years.require_year(year)
        unit_group = await self.units.require_group(group)
        if revision is None or revision == assessment_year.revision:
            inputs = await self._live_inputs(year=year, group_id=unit_group.id, detail=detail)
        else:
            # Snapshots of superseded revisions hold every leaf: always in detail.
            inputs = await self._snapshot_inputs(year=year, group=group, revision=revision)
        unit_ids = sorted(
            set(inputs.finals) | set(inputs.selfs) | set(inputs.totals) | set(inputs.published)
        )
        units = {u.id: snapshot_unit(u) for u in await self.results.units_by_id(unit_ids)}
        drafts = [
            _draft(
                units[uid],
                inputs.tree,
                inputs.bands,
                inputs.finals.get(uid, {}),
                inputs.selfs.get(uid, {}),
                inputs.published.get(uid),
                inputs.totals.get(uid),
            )
            for uid in unit_ids
            if units[uid].group_code == group
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
        )

    async def _live_inputs(self, *, year: int, group_id: int, detail: bool) -> "GroupInputs":
        inputs = GroupInputs(detail=detail)
        criteria_set = await self.criteria.get_set(year=year, group_id=group_id)
        if criteria_set is not None:
            inputs.tree = _tree(criteria_set)
            inputs.bands = tuple(
                BandRule(band.label_vi, band.label_en, band.min_index)
                for band in criteria_set.bands
            )
            leaves = [n for n in criteria_set.criteria if inputs.tree.nodes[n.code].is_leaf]
            leaf_ids = [node.id for node in leaves]
            if detail:
                codes = {node.id: node.code for node in leaves}
                for row in await self.results.leaf_scores(leaf_ids):
                    inputs.add_score(
                        row.unit_id,
                        codes[row.criterion_id],
                        from_units(row.self_units),
                        from_units(row.final_units),
                    )
            else:
                penalty_ids = [n.id for n in leaves if n.method == ScoringMethod.PENALTY.value]
                for total in await self.results.unit_totals(leaf_ids, penalty_ids):
                    inputs.totals[total.unit_id] = (
                        from_units(total.total_units),
                        total.final_count,
                    )
        for published in await self.results.published_of_group(year=year, group_id=group_id):
            inputs.published[published.unit_id] = _published(published)
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
        inputs = GroupInputs()
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
            for unit_id, code, self_score, final_score, _note in part["scores"]:
                inputs.add_score(unit_id, code, as_decimal(self_score), as_decimal(final_score))
        for unit_id, index, rank, position, band_vi, source, note in snapshot["published"]:
            inputs.published[unit_id] = PublishedSnapshot(
                as_decimal(index), rank, position, band_vi, source, note
            )
        summary = snapshot["summaries"].get(group)
        if summary is not None:
            inputs.summary = GroupSummarySnapshot(*summary)
        return inputs


def from_units(value: int | None) -> Decimal | None:
    """Ten-thousandths from the database back to an exact Decimal."""
    return None if value is None else Decimal(value) / SCORE_UNITS


@dataclass
class GroupInputs:
    """What a group's results are computed from, read live or from a revision snapshot."""

    tree: Tree | None = None
    bands: tuple[BandRule, ...] = ()
    finals: dict[int, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    selfs: dict[int, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    published: dict[int, PublishedSnapshot] = field(default_factory=dict)
    summary: GroupSummarySnapshot | None = None
    # Without detail: per unit (total, number of leaves with a final score) instead of leaves.
    totals: dict[int, tuple[Decimal | None, int]] = field(default_factory=dict)
    detail: bool = True

    def add_score(
        self, unit_id: int, code: str, self_score: Decimal | None, final_score: Decimal | None
    ) -> None:
        if final_score is not None:
            self.finals[unit_id][code] = final_score
        if self_score is not None:
            self.selfs[unit_id][code] = self_score


def _tree(criteria_set: CriteriaSet) -> Tree:
    return build_tree(
        (
            (
                node.code,
                node.name_vi,
                node.name_en,
                node.max_score,
                ScoringMethod(node.method) if node.method else None,
            )
            for node in criteria_set.criteria
        ),
        criteria_set.max_score,
    )


def _draft(
    unit: UnitSnapshot,
    tree: Tree | None,
    bands: tuple[BandRule, ...],
    finals: dict[str, Decimal],
    selfs: dict[str, Decimal],
    published: PublishedSnapshot | None,
    summed: tuple[Decimal | None, int] | None = None,
) -> UnitOutcome:
    """A unit's unranked outcome: the index from its leaf scores if any, else as published.

    `summed` is the (total, leaves with a final) the database added up, when leaves were not
    loaded; both ways give the same total.
    """
    has_finals = bool(finals) or (summed is not None and summed[1] > 0)
    if tree is not None and has_finals:
        if summed is not None and summed[0] is not None:
            total, missing = summed[0], len(tree.leaf_codes) - summed[1]
        else:
            total = total_score(tree, finals)
            missing = sum(1 for leaf in tree.leaf_codes if leaf not in finals)
        index = index_of(total, tree.max_score)
        return UnitOutcome(
            unit,
            finals,
            selfs,
            missing,
            total,
            index,
            "leaf_scores",
            band_for(index, bands),
            published,
        )
    if published is not None and published.index is not None:
        band = band_for(published.index, bands) if bands else None
        return UnitOutcome(
            unit, {}, selfs, 0, None, published.index, "published_index", band, published
        )
    basis: IndexBasis = "published_rank" if published and published.rank else "none"
    return UnitOutcome(unit, {}, selfs, 0, None, None, basis, None, published)
