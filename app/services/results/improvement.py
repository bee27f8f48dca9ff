"""Improvement lists: a unit's weakest criteria, a group's lowest units and weakest criteria."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.i18n import Language, pick
from app.core.messages import message, say
from app.models.enums import ScoringMethod
from app.schemas.improvements import (
    CriterionWeaknessRead,
    FieldWeaknessRead,
    GroupImprovementsRead,
    LeafImprovementRead,
    NextRankRead,
    UnitImprovementsRead,
    WeakUnitRead,
)
from app.services.results.breakdown import BreakdownService, NodeStats, attainment_pct, points_lost
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome
from app.services.results.next_rank import NextRankGain, next_rank_gain
from app.services.results.presenting import coverage_read, group_label, unit_label
from app.services.results.ranking import NoResultsForGroup
from app.services.results.score_units import to_units
from app.services.results.scoring import HUNDRED, ZERO, Tree, is_scored, round_index


@dataclass(frozen=True)
class LeafGap:
    code: str
    points_lost: Decimal
    attainment: Decimal | None  # None for a leaf worth no points (max 0)


def attainment_key(attainment: Decimal | None) -> tuple[bool, Decimal]:
    """Ascending attainment, a missing one (max 0: nothing to attain) after every number."""
    return (attainment is None, ZERO if attainment is None else attainment)


def improvement_order(gaps: Sequence[LeafGap]) -> list[LeafGap]:
    """Points lost descending, then attainment ascending, then criterion code (numeric parts)."""
    return sorted(
        gaps,
        key=lambda g: (
            -g.points_lost,
            attainment_key(g.attainment),
            tuple(int(p) for p in g.code.split(".")),
        ),
    )


def mean_attainment_pct(points: Sequence[int], maximum: Decimal) -> Decimal:
    """Σ points / (n × max) × 100 over the group's units, rounded half-up once.

    Taken from the exact sum (points in ten-thousandths), never from the rounded mean: dividing
    a mean already rounded to four decimals and rounding again can land one hundredth off.
    """
    return round_index(Decimal(sum(points)) * HUNDRED / (len(points) * to_units(maximum)))


def lowest_units(outcomes: Sequence[UnitOutcome], limit: int) -> list[UnitOutcome]:
    """The `limit` lowest indices, lowest first; units tied with the last one are kept too."""
    indexed = sorted(
        (o for o in outcomes if o.index is not None), key=lambda o: (o.index, o.unit.code)
    )
    if len(indexed) <= limit:
        return indexed
    cutoff = indexed[limit - 1].index
    return [o for o in indexed if o.index is not None and cutoff is not None and o.index <= cutoff]


class ImprovementService:
    def __init__(self, results: GroupResultService) -> None:
        self.breakdowns = BreakdownService(results)
        self.results = results
        self.cache = results.cache

    async def unit_improvements(
        self,
        *,
        year: int,
        unit_code: str,
        limit: int,
        language: Language,
        revision: int | None = None,
    ) -> UnitImprovementsRead:
        group_year, outcome, tree, stats = await self.breakdowns.scored_outcome(
            year=year, unit_code=unit_code, revision=revision
        )
        uid = outcome.unit.id
        gaps = []
        for leaf in tree.leaf_codes:
            # Nothing to gain on a bonus, nor on an item worth no points.
            if tree.nodes[leaf].method == ScoringMethod.BONUS or tree.nodes[leaf].max_score == 0:
                continue
            score = stats[leaf].score(uid)
            gaps.append(
                LeafGap(leaf, points_lost(tree, leaf, score), attainment_pct(tree, leaf, score))
            )
        leaves = [
            _leaf_read(tree, stats[gap.code], gap, uid, language, group_year.coverage.leaf_scored)
            for gap in improvement_order(gaps)[:limit]
        ]
        assert outcome.index is not None
        gain = next_rank_gain(group_year.outcomes, outcome, max_score=tree.max_score)
        return UnitImprovementsRead(
            year=year,
            revision=group_year.revision,
            language=language,
            unit=unit_label(outcome.unit, language),
            rank=outcome.rank,
            index=outcome.index,
            order=say(language, "improvements.unit-order"),
            coverage=coverage_read(group_year.coverage),
            next_rank=next_rank_read(gain, tree.max_score, language) if gain else None,
            leaves=leaves,
        )

    async def group_improvements(
        self,
        *,
        year: int,
        group: str,
        limit: int,
        language: Language,
        revision: int | None = None,
    ) -> GroupImprovementsRead:
        """The group's lowest units and weakest criteria; a group without results that year
        has none to list (NoResultsForGroup, as its ranking)."""
        group_year = await self.results.group_year(
            year=year, group=group, revision=revision, detail=True
        )
        if not group_year.has_results:
            raise NoResultsForGroup(message("results.no-results", group=group, year=year))
        tree = group_year.tree
        if not group_year.coverage.ranked:
            # A partial group's lowest listed units are not the group's lowest: nothing offered.
            return _withheld(group_year, language)
        stats = await self.breakdowns.node_stats(group_year) if tree is not None else {}
        lowest = [
            WeakUnitRead(
                rank=o.rank,
                unit=unit_label(o.unit, language),
                index=o.index,
                weakest_fields=_weakest_fields(tree, stats, o, language)
                if tree and o.has_scores
                else [],
            )
            for o in lowest_units(group_year.outcomes, limit)
            if o.index is not None
        ]
        leaf_scored = group_year.coverage.leaf_scored
        criteria = (
            _weakest_criteria(tree, stats, language) if tree and stats and leaf_scored else []
        )
        return GroupImprovementsRead(
            year=year,
            revision=group_year.revision,
            language=language,
            group=group_label(group_year, language),
            order=say(language, "improvements.group-order"),
            coverage=coverage_read(group_year.coverage),
            lowest_units=lowest,
            weakest_criteria=criteria[:limit],
        )


def _withheld(group_year: GroupYear, language: Language) -> GroupImprovementsRead:
    return GroupImprovementsRead(
        year=group_year.year,
        revision=group_year.revision,
        language=language,
        group=group_label(group_year, language),
        order=say(language, "improvements.group-order"),
        coverage=coverage_read(group_year.coverage),
        lowest_units=[],
        weakest_criteria=[],
    )


def next_rank_read(gain: NextRankGain, max_score: Decimal, language: Language) -> NextRankRead:
    assert gain.above.index is not None
    assert gain.above.rank is not None
    return NextRankRead(
        unit=unit_label(gain.above.unit, language),
        rank=gain.above.rank,
        index=gain.above.index,
        max_score=max_score,
        index_points_needed=gain.index_points,
        total_points_needed=gain.total_points,
        index_points_to_pass=gain.index_points_to_pass,
        total_points_to_pass=gain.total_points_to_pass,
    )


def _leaf_read(
    tree: Tree, stats: NodeStats, gap: LeafGap, uid: int, language: Language, group_real: bool
) -> LeafImprovementRead:
    """A leaf to improve; the group's mean and best only where every unit has leaf scores."""
    node = tree.nodes[gap.code]
    score = stats.score(uid)
    assert node.method is not None
    return LeafImprovementRead(
        code=gap.code,
        name=pick(language, node.name_vi, node.name_en),
        name_vi=node.name_vi,
        name_en=node.name_en,
        field_code=gap.code.split(".")[0],
        method=node.method,
        unit_controls=node.method != ScoringMethod.SURVEY,
        max_score=node.max_score,
        score=score,
        points_lost=gap.points_lost,
        attainment_pct=gap.attainment,
        group_mean=stats.mean if group_real else None,
        group_best=stats.best if group_real else None,
        gap_to_mean=stats.mean - score if group_real else None,
        gap_to_best=stats.best - score if group_real else None,
    )


def _weakest_fields(
    tree: Tree, stats: dict[str, NodeStats], outcome: UnitOutcome, language: Language
) -> list[FieldWeaknessRead]:
    fields = []
    for code in tree.order:
        node = tree.nodes[code]
        scored_leaves = [
            leaf for leaf in tree.leaves_under[code] if is_scored(tree.nodes[leaf].method)
        ]
        # Fields only: the bonus/penalty part is no field of work to improve.
        if "." in code or node.max_score == 0 or not scored_leaves:
            continue
        score = stats[code].score(outcome.unit.id)
        attainment = attainment_pct(tree, code, score)
        if attainment is None:
            continue
        fields.append((attainment, tuple(int(p) for p in code.split(".")), code, score))
    fields.sort()
    return [
        FieldWeaknessRead(
            code=code,
            name=pick(language, tree.nodes[code].name_vi, tree.nodes[code].name_en),
            attainment_pct=attainment,
            points_lost=points_lost(tree, code, score),
        )
        for attainment, _, code, score in fields[:3]
    ]


def _weakest_criteria(
    tree: Tree, stats: dict[str, NodeStats], language: Language
) -> list[CriterionWeaknessRead]:
    rows = []
    for leaf in tree.leaf_codes:
        node = tree.nodes[leaf]
        if node.method in (ScoringMethod.BONUS, ScoringMethod.PENALTY) or node.method is None:
            continue
        if node.max_score == 0:  # an item worth no points has no attainment to compare
            continue
        mean_attainment = mean_attainment_pct(stats[leaf].points, node.max_score)
        rows.append(
            CriterionWeaknessRead(
                code=leaf,
                name=pick(language, node.name_vi, node.name_en),
                name_vi=node.name_vi,
                name_en=node.name_en,
                method=node.method,
                unit_controls=node.method != ScoringMethod.SURVEY,
                max_score=node.max_score,
                mean_score=stats[leaf].mean,
                mean_attainment_pct=mean_attainment,
                units_below_max=stats[leaf].count_below(node.max_score),
            )
        )
    rows.sort(key=lambda r: (r.mean_attainment_pct, tuple(int(p) for p in r.code.split("."))))
    return rows
