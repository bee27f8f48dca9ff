"""Scores as integers of ten-thousandths, their stored scale: exact, and cheap to add up.

A group's detail snapshot holds 100 leaves × hundreds of units; adding them up per node as
Python ints and making Decimals only for what a response shows is what keeps a cold breakdown
in tens of milliseconds. Every function here is exact: one unit is 0.0001 point.
"""

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from operator import mul

from app.repositories.results import SCORE_UNITS
from app.services.results.scoring import Tree

UnitsRow = Sequence[int | None]


def from_units(value: int | None) -> Decimal | None:
    """Ten-thousandths back to an exact Decimal (12345 → 1.2345)."""
    return None if value is None else Decimal(value) / SCORE_UNITS


def to_units(value: Decimal) -> int:
    """An exact Decimal of at most four decimals as ten-thousandths (1.2345 → 12345)."""
    scaled = value * SCORE_UNITS
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than four decimals")
    return int(scaled)


class LeafScores(Mapping[str, Decimal]):
    """A unit's leaf scores, read as Decimals by criterion code, kept as ints by leaf position.

    Only leaves with a score are keys; a Decimal is made when a score is read, not before.
    """

    __slots__ = ("_codes", "_positions", "units")

    def __init__(self, tree: Tree, units: UnitsRow) -> None:
        self._positions = tree.leaf_positions
        self._codes = tree.leaf_codes
        self.units = units

    def __getitem__(self, code: str) -> Decimal:
        value = self.units[self._positions[code]]
        if value is None:
            raise KeyError(code)
        return Decimal(value) / SCORE_UNITS

    def __iter__(self) -> Iterator[str]:
        pairs = zip(self._codes, self.units, strict=True)
        return (code for code, value in pairs if value is not None)

    def __len__(self) -> int:
        return sum(1 for value in self.units if value is not None)


def leaf_units(tree: Tree, scores: Mapping[str, Decimal]) -> UnitsRow:
    """A unit's leaf scores as ints in the tree's leaf order (None where a leaf has no score)."""
    if isinstance(scores, LeafScores) and scores._codes is tree.leaf_codes:
        return scores.units
    return [None if (s := scores.get(code)) is None else to_units(s) for code in tree.leaf_codes]


def signed_total(tree: Tree, row: UnitsRow) -> int:
    """Σ leaf scores with penalties subtracted, in ten-thousandths (missing leaves add 0)."""
    return sum(map(mul, tree.leaf_signs, _zero_filled(row)))


def node_points(tree: Tree, rows: Sequence[UnitsRow]) -> dict[str, list[int]]:
    """Per node code, every row's points on that node, in ten-thousandths and row order.

    A leaf's points are its score (a penalty's negated, a missing score 0); an inner node's
    are the sum of its children's, so each node equals scoring.node_score of the same unit.
    """
    if not rows:
        return {code: [] for code in tree.order}
    points: dict[str, list[int]] = {}
    # Whole columns through zip and map rather than element by element: 10⁴–10⁵ values.
    columns = zip(*rows, strict=True)
    for code, sign, column in zip(tree.leaf_codes, tree.leaf_signs, columns, strict=True):
        values = _zero_filled(column)
        points[code] = values if sign > 0 else [-value for value in values]
    for code in reversed(tree.order):
        children = tree.nodes[code].children
        if children:
            sums = map(sum, zip(*(points[child] for child in children), strict=True))
            points[code] = list(sums)
    return points


def _zero_filled(values: Sequence[int | None]) -> list[int]:
    return [0 if value is None else value for value in values] if None in values else list(values)  # type: ignore[arg-type]
