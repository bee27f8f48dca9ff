"""A unit's criteria tree with group statistics per node (rules pure, service cached)."""

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.core.errors import NotFound
from app.core.i18n import Language, pick
from app.core.messages import message
from app.models.enums import ScoringMethod
from app.repositories.results import SCORE_UNITS
from app.schemas.breakdowns import BreakdownRead, NodeBreakdownRead
from app.services.registry.criteria_tree import parent_code
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome
from app.services.results.presenting import band_ref, coverage_read, group_label, unit_label
from app.services.results.ranking_rules import competition_rank
from app.services.results.score_units import from_units, leaf_units, node_points, to_units
from app.services.results.scoring import HUNDRED, SCORE_STEP, ZERO, Tree, round_index


class NoLeafScores(NotFound):
    slug = "no-leaf-scores"


@dataclass(frozen=True)
class NodeStats:
    """A node across the group: every scored unit's points, their mean, the best, and ranks.

    Points are kept in ten-thousandths (score_units) and made Decimals when read.
    """

    positions: Mapping[int, int]  # unit id → index into points (shared by every node)
    points: Sequence[int]
    ascending: Sequence[int]  # the same points sorted, for ranks and counts by bisection
    mean: Decimal
    best: Decimal

    def score(self, unit_id: int) -> Decimal:
        return Decimal(self.points[self.positions[unit_id]]) / SCORE_UNITS

    def rank(self, unit_id: int) -> int:
        return competition_rank(self.points[self.positions[unit_id]], self.ascending)

    def count_below(self, value: Decimal) -> int:
        return bisect_left(self.ascending, to_units(value))


def mean_of_units(points: Sequence[int]) -> Decimal:
    """The arithmetic mean of points in ten-thousandths, rounded half-up to four decimals."""
    return (Decimal(sum(points)) / (len(points) * SCORE_UNITS)).quantize(
        SCORE_STEP, rounding=ROUND_HALF_UP
    )


def node_statistics(tree: Tree, outcomes: Sequence[UnitOutcome]) -> dict[str, NodeStats]:
    """Per node: each scored unit's points (penalties negative, a missing leaf 0), the group
    mean (half-up to four decimals), the best, and each unit's competition rank on exact
    points. Units without leaf scores take no part.
    """
    scored = [o for o in outcomes if o.has_scores]
    if not scored:
        return {}
    positions = {o.unit.id: position for position, o in enumerate(scored)}
    columns = node_points(tree, [leaf_units(tree, o.finals) for o in scored])
    stats = {}
    for code, points in columns.items():
        ascending = sorted(points)
        stats[code] = NodeStats(
            positions=positions,
            points=points,
            ascending=ascending,
            mean=mean_of_units(points),
            best=Decimal(ascending[-1]) / SCORE_UNITS,
        )
    return stats


def points_lost(tree: Tree, code: str, score: Decimal) -> Decimal:
    """Max − points, or for a penalty-only node the deduction itself."""
    return -score if code in tree.penalty_only else tree.nodes[code].max_score - score


def attainment_pct(tree: Tree, code: str, score: Decimal) -> Decimal | None:
    """Points as a percentage of the node's max; for penalties, the share of the cap avoided."""
    maximum = tree.nodes[code].max_score
    if maximum == 0:
        return None
    if code in tree.penalty_only:
        return round_index((maximum + score) / maximum * HUNDRED)
    return round_index(score / maximum * HUNDRED)


def self_points(tree: Tree, selfs: Mapping[str, Decimal]) -> dict[str, Decimal | None]:
    """Per node, the unit's self-assessed points (as node points are summed), or None where
    no leaf under the node has a self score."""
    row = leaf_units(tree, selfs)
    points = node_points(tree, [row])
    # How many leaves under each node have a self score: node_points negates penalty leaves,
    # so theirs count as −1 × −1.
    flags = [0 if value is None else sign for value, sign in zip(row, tree.leaf_signs, strict=True)]
    assessed = node_points(tree, [flags])
    return {code: from_units(points[code][0]) if assessed[code][0] else None for code in tree.order}


class BreakdownService:
    def __init__(self, results: GroupResultService) -> None:
        self.results = results
        self.cache = results.cache

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
            raise NoLeafScores(message("results.no-leaf-scores", unit=unit_code, year=year))
        return group_year, outcome, group_year.tree, await self.node_stats(group_year)

    async def node_stats(self, group_year: GroupYear) -> dict[str, NodeStats]:
        key = ("node_stats", group_year.year, group_year.group_code, group_year.revision)
        cached = self.cache.get(key)
        if isinstance(cached, dict):
            return cached
        assert group_year.tree is not None
        assert group_year.detail, "node statistics need every leaf score"
        stats = node_statistics(group_year.tree, group_year.outcomes)
        self.results.keep(key, stats)
        return stats

    async def breakdown_json(
        self, *, year: int, unit_code: str, language: Language, revision: int | None = None
    ) -> bytes:
        await self.results.sync()
        # Rendered per side, so a draft's breakdown never reaches the public.
        key = ("breakdown", year, unit_code, language, revision, self.results.viewer.sees_drafts)
        cached = self.cache.get(key)
        if isinstance(cached, bytes):
            return cached
        breakdown = await self.get_breakdown(
            year=year, unit_code=unit_code, language=language, revision=revision
        )
        content = breakdown.model_dump_json().encode()
        self.results.keep(key, content)
        return content

    async def get_breakdown(
        self, *, year: int, unit_code: str, language: Language, revision: int | None = None
    ) -> BreakdownRead:
        group_year, outcome, tree, stats = await self.scored_outcome(
            year=year, unit_code=unit_code, revision=revision
        )
        uid = outcome.unit.id
        # Per-node group figures describe the group only when every unit of it has leaf scores.
        real = group_year.coverage.leaf_scored
        nodes = []
        selfs = self_points(tree, await self.results.self_scores(group_year, uid))
        for code in tree.order:
            node = tree.nodes[code]
            score = stats[code].score(uid)
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
                    self_score=selfs[code],
                    attainment_pct=attainment_pct(tree, code, score),
                    points_lost=points_lost(tree, code, score),
                    group_mean=stats[code].mean if real else None,
                    group_best=stats[code].best if real else None,
                    rank=stats[code].rank(uid) if real else None,
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
            coverage=coverage_read(group_year.coverage),
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
