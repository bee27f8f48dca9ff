"""A (year, group) snapshot: every unit's scores, total, index, band and rank, computed once."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CriteriaSet, OrgUnit, PublishedResult
from app.models.enums import LineageKind, ScoringMethod
from app.repositories.criteria import CriteriaRepository
from app.repositories.results import ResultRepository
from app.repositories.revision import RevisionRepository
from app.services.lineage import LineageEdge
from app.services.ranking_rules import rank_with_ties
from app.services.result_cache import ResultCache
from app.services.scoring import BandRule, Tree, band_for, build_tree, index_of, total_score
from app.services.units import UnitService
from app.services.years import YearService

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
    group_code: str
    group_name_vi: str
    group_name_en: str
    tree: Tree | None
    bands: tuple[BandRule, ...]
    outcomes: tuple[UnitOutcome, ...]
    summary: GroupSummarySnapshot | None

    def outcome_of(self, unit_id: int) -> UnitOutcome | None:
        return next((o for o in self.outcomes if o.unit.id == unit_id), None)


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

    def __init__(self, session: AsyncSession, cache: ResultCache) -> None:
        self.session = session
        self.cache = cache
        self.results = ResultRepository(session)
        self.criteria = CriteriaRepository(session)
        self.years = YearService(session)
        self.units = UnitService(session)
        self._synced = False

    async def sync(self) -> None:
        """Check the data revision once per request; a newer one empties the cache."""
        if not self._synced:
            self.cache.sync(await RevisionRepository(self.session).current())
            self._synced = True

    async def group_year(self, *, year: int, group: str) -> GroupYear:
        await self.sync()
        key = ("group_year", year, group)
        cached = self.cache.get(key)
        if isinstance(cached, GroupYear):
            return cached
        built = await self._build(year=year, group=group)
        self.cache.put(key, built)
        return built

    async def group_year_if_any(self, *, year: int, group: str) -> GroupYear | None:
        """The snapshot, or None when the year does not exist (e.g. before the first one)."""
        if await self.years.years.get(year) is None:
            return None
        return await self.group_year(year=year, group=group)

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

    async def _build(self, *, year: int, group: str) -> GroupYear:
        assessment_year = await self.years.require_year(year)
        unit_group = await self.units.require_group(group)
        criteria_set = await self.criteria.get_set(year=year, group_id=unit_group.id)
        tree = _tree(criteria_set) if criteria_set else None
        bands = tuple(
            BandRule(band.label_vi, band.label_en, band.min_index)
            for band in (criteria_set.bands if criteria_set else [])
        )
        finals: dict[int, dict[str, Decimal]] = defaultdict(dict)
        selfs: dict[int, dict[str, Decimal]] = defaultdict(dict)
        if criteria_set is not None:
            for row in await self.results.leaf_scores_of_set(criteria_set.id):
                if row.final_score is not None:
                    finals[row.unit_id][row.criterion_code] = row.final_score
                if row.self_score is not None:
                    selfs[row.unit_id][row.criterion_code] = row.self_score
        published = {
            row.unit_id: _published(row)
            for row in await self.results.published_of_group(year=year, group_id=unit_group.id)
        }
        unit_ids = sorted(set(finals) | set(selfs) | set(published))
        units = {u.id: snapshot_unit(u) for u in await self.results.units_by_id(unit_ids)}
        drafts = [
            _draft(
                units[uid], tree, bands, finals.get(uid, {}), selfs.get(uid, {}), published.get(uid)
            )
            for uid in unit_ids
        ]
        summary_row = await self.results.group_summary(year=year, group_id=unit_group.id)
        summary = (
            GroupSummarySnapshot(
                unit_count=summary_row.unit_count,
                band_counts=summary_row.band_counts,
                note=summary_row.note,
                source=summary_row.source.code,
            )
            if summary_row
            else None
        )
        return GroupYear(
            year=year,
            status=assessment_year.status,
            group_code=unit_group.code,
            group_name_vi=unit_group.name_vi,
            group_name_en=unit_group.name_en,
            tree=tree,
            bands=bands,
            outcomes=rank_outcomes(drafts),
            summary=summary,
        )


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
) -> UnitOutcome:
    """A unit's unranked outcome: the index from its leaf scores if any, else as published."""
    if tree is not None and finals:
        total = total_score(tree, finals)
        index = index_of(total, tree.max_score)
        missing = sum(1 for leaf in tree.leaf_codes if leaf not in finals)
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
