"""A unit's criteria tree with group statistics per node (rules pure, service cached)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.i18n import Language, pick
from app.models.enums import ScoringMethod
from app.schemas.results import BreakdownRead, NodeBreakdownRead
from app.services.criteria_tree import parent_code
from app.services.group_results import GroupResultService, GroupYear, UnitOutcome
from app.services.presenting import band_ref, group_label, unit_label
from app.services.ranking_rules import rank_with_ties
from app.services.result_cache import ResultCache
from app.services.scoring import HUNDRED, SCORE_STEP, ZERO, Tree, node_score, round_index


class NoLeafScores(NotFound):
    title = "No leaf scores"
    slug = "no-leaf-scores"


@dataclass(frozen=True)
class NodeStats:
    """A node across the group: every unit's points, their mean, the best, and the ranks."""

    scores: Mapping[int, Decimal]
    mean: Decimal
    best: Decimal
    ranks: Mapping[int, int]


def mean_of(values: Sequence[Decimal]) -> Decimal:
    """Arithmetic mean rounded half-up to four decimals (score precision)."""
    return (sum(values, ZERO) / len(values)).quantize(SCORE_STEP, rounding=ROUND_HALF_UP)


def node_statistics(tree: Tree, outcomes: Sequence[UnitOutcome]) -> dict[str, NodeStats]:
    """Per node: each scored unit's points (penalties negative), group mean, best, and rank.

    Ranks are competition ranks on exact points, ties broken by unit code for the listing
    only, as for the index ranking.
    """
    scored = [o for o in outcomes if o.has_scores]
    codes = {o.unit.id: o.unit.code for o in scored}
    stats: dict[str, NodeStats] = {}
    if not scored:
        return stats
    for code in tree.order:
        scores = {o.unit.id: node_score(tree, code, o.finals) for o in scored}
        ranked = rank_with_ties(list(scores.items()), sort_key=codes)
        stats[code] = NodeStats(
            scores=scores,
            mean=mean_of(list(scores.values())),
            best=max(scores.values()),
            ranks={r.key: r.rank for r in ranked},
        )
    return stats


def penalty_only(tree: Tree, code: str) -> bool:
    return all(tree.nodes[leaf].method == ScoringMethod.PENALTY for leaf in tree.leaves_under[code])


def points_lost(tree: Tree, code: str, score: Decimal) -> Decimal:
    """Max − points, or for a penalty-only node the deduction itself."""
    return -score if penalty_only(tree, code) else tree.nodes[code].max_score - score


def attainment_pct(tree: Tree, code: str, score: Decimal) -> Decimal | None:
    """Points as a percentage of the node's max; for penalties, the share of the cap avoided."""
    maximum = tree.nodes[code].max_score
    if maximum == 0:
        return None
    if penalty_only(tree, code):
        return round_index((maximum + score) / maximum * HUNDRED)
    return round_index(score / maximum * HUNDRED)


def self_points(tree: Tree, code: str, selfs: Mapping[str, Decimal]) -> Decimal | None:
    leaves = [leaf for leaf in tree.leaves_under[code] if leaf in selfs]
    if not leaves:
        return None
    return node_score(tree, code, {leaf: selfs[leaf] for leaf in leaves})


class BreakdownService:
    def __init__(
        self, session: AsyncSession, cache: ResultCache, *, drafts_visible: bool = True
    ) -> None:
        self.results = GroupResultService(session, cache, drafts_visible=drafts_visible)
        self.cache = cache

    async def scored_outcome(
        self, *, year: int, unit_code: str, revision: int | None = None
    ) -> tuple[GroupYear, UnitOutcome, Tree, dict[str, NodeStats]]:
        """The unit's group snapshot, its own outcome and the per-node group statistics."""
        unit = await self.results.units.require_unit(unit_code)
        group_year = await self.results.group_year(
            year=year, group=unit.group.code, revision=revision, detail=True
        )
        outcome = group_year.outcome_of(unit.id)
        if outcome is None or not outcome.has_scores or group_year.tree is None:
            raise NoLeafScores(
                f"Unit {unit_code!r} has no leaf scores in {year}; only published totals "
                "(if any) are known, see the ranking."
            )
        return group_year, outcome, group_year.tree, await self.node_stats(group_year)

    async def node_stats(self, group_year: GroupYear) -> dict[str, NodeStats]:
        key = ("node_stats", group_year.year, group_year.group_code, group_year.revision)
        cached = self.cache.get(key)
        if isinstance(cached, dict):
            return cached
        assert group_year.tree is not None
        assert group_year.detail, "node statistics need every leaf score"
        stats = node_statistics(group_year.tree, group_year.outcomes)
        self.cache.put(key, stats)
        return stats

    async def breakdown_json(
        self, *, year: int, unit_code: str, language: Language, revision: int | None = None
    ) -> bytes:
        await self.results.sync()
        visible = self.results.years.drafts_visible
        key = ("breakdown", year, unit_code, language, revision, visible)
        cached = self.cache.get(key)
        if isinstance(cached, bytes):
            return cached
        breakdown = await self.get_breakdown(
            year=year, unit_code=unit_code, language=language, revision=revision
        )
        content = breakdown.model_dump_json().encode()
        self.cache.put(key, content)
        return content

    async def get_breakdown(
        self, *, year: int, unit_code: str, language: Language, revision: int | None = None
    ) -> BreakdownRead:
        group_year, outcome, tree, stats = await self.scored_outcome(
            year=year, unit_code=unit_code, revision=revision
        )
        uid = outcome.unit.id
        nodes = []
        for code in tree.order:
            node = tree.nodes[code]
            score = stats[code].scores[uid]
            nodes.append(
                NodeBreakdownRead(
                    code=code,
                    parent_code=parent_code(code),
                    depth=code.count(".") + 1,
                    is_leaf=node.is_leaf,
                    name=pick(language, node.name_vi, node.name_en),
                    name_vi=node.name_vi,
                    name_en=node.name_en,
                    method=node.method,
                    max_score=node.max_score,
                    score=score,
                    self_score=self_points(tree, code, outcome.selfs),
                    attainment_pct=attainment_pct(tree, code, score),
                    points_lost=points_lost(tree, code, score),
                    group_mean=stats[code].mean,
                    group_best=stats[code].best,
                    rank=stats[code].ranks[uid],
                )
            )
        assert outcome.total is not None
        assert outcome.index is not None
        return BreakdownRead(
            year=year,
            revision=group_year.revision,
            language=language,
            unit=unit_label(outcome.unit, language),
            group=group_label(group_year, language),
            rank=outcome.rank,
            total=outcome.total,
            max_score=tree.max_score,
            index=outcome.index,
            band=band_ref(outcome.band, language),
            bonus=_sum_method(tree, outcome, ScoringMethod.BONUS),
            penalty=_sum_method(tree, outcome, ScoringMethod.PENALTY),
            nodes=nodes,
        )


def _sum_method(tree: Tree, outcome: UnitOutcome, method: ScoringMethod) -> Decimal:
    return sum(
        (
            outcome.finals.get(leaf, ZERO)
            for leaf in tree.leaf_codes
            if tree.nodes[leaf].method == method
        ),
        ZERO,
    )
