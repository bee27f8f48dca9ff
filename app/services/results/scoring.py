"""Totals, index, bands and per-node scores of a criteria tree (pure, exact decimals)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from app.models.enums import ScoringMethod
from app.services.registry.criteria_tree import SCORED_METHODS, code_key, parent_code

HUNDRED = Decimal(100)
ZERO = Decimal(0)
INDEX_STEP = Decimal("0.01")
SCORE_STEP = Decimal("0.0001")


def round_index(value: Decimal) -> Decimal:
    """Round half-up to two decimals, as the index is published (87.205 → 87.21)."""
    return value.quantize(INDEX_STEP, rounding=ROUND_HALF_UP)


def index_of(total: Decimal, max_score: Decimal) -> Decimal:
    """Index = total / maximum × 100, rounded half-up to two decimals.

    The quotient is taken to 28 significant digits before rounding; with scores of at most
    four decimals that cannot move a value across a rounding boundary.
    """
    return round_index(total * HUNDRED / max_score)


@dataclass(frozen=True)
class BandRule:
    label_vi: str
    label_en: str
    min_index: Decimal


def band_for(index: Decimal, bands: Sequence[BandRule]) -> BandRule | None:
    """The band with the highest minimum at or below the index; None below every band."""
    found: BandRule | None = None
    for band in bands:  # the first of equal minimums, as max() would pick
        if index >= band.min_index and (found is None or band.min_index > found.min_index):
            found = band
    return found


@dataclass(frozen=True)
class Node:
    code: str
    name_vi: str
    name_en: str
    max_score: Decimal
    method: ScoringMethod | None
    children: tuple[str, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class Tree:
    """A criteria tree indexed for scoring: nodes in code order and the leaves under each."""

    nodes: Mapping[str, Node]
    leaves_under: Mapping[str, tuple[str, ...]]
    max_score: Decimal
    order: tuple[str, ...] = field(default=())

    @cached_property
    def leaf_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.order if self.nodes[code].is_leaf)

    @cached_property
    def leaf_positions(self) -> dict[str, int]:
        return {code: position for position, code in enumerate(self.leaf_codes)}

    @cached_property
    def leaf_signs(self) -> tuple[int, ...]:
        """+1 per leaf, −1 for a penalty: how each leaf counts towards its nodes and the total."""
        return tuple(-1 if code in self.penalty_leaves else 1 for code in self.leaf_codes)

    @cached_property
    def penalty_only(self) -> frozenset[str]:
        """Nodes whose every leaf is a penalty (their points are a deduction, ≤ 0)."""
        return frozenset(
            code
            for code in self.order
            if all(leaf in self.penalty_leaves for leaf in self.leaves_under[code])
        )

    @cached_property
    def penalty_leaves(self) -> frozenset[str]:
        return frozenset(
            code for code in self.leaf_codes if self.nodes[code].method == ScoringMethod.PENALTY
        )


def build_tree(
    rows: Iterable[tuple[str, str, str, Decimal, ScoringMethod | None]], max_score: Decimal
) -> Tree:
    """Index (code, name_vi, name_en, max, method) rows; they are assumed already validated."""
    raw = {row[0]: row for row in rows}
    order = tuple(sorted(raw, key=code_key))
    children: dict[str, list[str]] = {code: [] for code in order}
    for code in order:
        parent = parent_code(code)
        if parent is not None:
            children[parent].append(code)
    nodes = {
        code: Node(
            code=code,
            name_vi=raw[code][1],
            name_en=raw[code][2],
            max_score=raw[code][3],
            method=raw[code][4],
            children=tuple(children[code]),
        )
        for code in order
    }
    leaves_under: dict[str, tuple[str, ...]] = {}
    for code in reversed(order):
        node = nodes[code]
        leaves_under[code] = (
            (code,)
            if node.is_leaf
            else tuple(leaf for c in node.children for leaf in leaves_under[c])
        )
    return Tree(nodes=nodes, leaves_under=leaves_under, max_score=max_score, order=order)


def node_score(tree: Tree, code: str, finals: Mapping[str, Decimal]) -> Decimal:
    """Points on a node: its leaves' final scores, penalties subtracted, missing leaves as 0."""
    return _signed_sum(tree, tree.leaves_under[code], finals)


def _signed_sum(tree: Tree, leaves: tuple[str, ...], finals: Mapping[str, Decimal]) -> Decimal:
    penalties = tree.penalty_leaves
    total = ZERO
    for leaf in leaves:
        score = finals.get(leaf)
        if score is not None:
            total = total - score if leaf in penalties else total + score
    return total


def total_score(tree: Tree, finals: Mapping[str, Decimal]) -> Decimal:
    """Total = Σ scored leaves + Σ bonus − Σ penalty (DOMAIN: 'How a score is made', step 4)."""
    return _signed_sum(tree, tree.leaf_codes, finals)


def is_scored(method: ScoringMethod | None) -> bool:
    return method in SCORED_METHODS
