"""The smallest improvement that raises a unit's rank, and the one that passes the unit above
(pure rules, exact decimals).

Under competition ranking a unit that equals the index of the unit just above it shares that
unit's rank, which is already a better rank: the smallest gain is the one that reaches the
index above, not the one that passes it. The index is total / maximum × 100 rounded half-up to
two decimals, so reaching index I needs a total of (I − 0.005) × maximum / 100, taken up to the
scores' precision (0.0001 point); passing it needs I + 0.01 the same way.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from app.services.results.group_year import UnitOutcome
from app.services.results.scoring import HUNDRED, INDEX_STEP, SCORE_STEP

NEXT_RANK_RULE = (
    "index_points_needed and total_points_needed: the smallest gain that raises the unit's "
    "rank, i.e. reaching the index of the unit just above (equal indices share the better "
    "rank); *_to_pass: the gain to rank strictly above it. Offered only where ranks are "
    "computed over a complete group."
)


def total_for_index(index: Decimal, max_score: Decimal) -> Decimal:
    """The smallest total, in steps of 0.0001, whose index rounds half-up to `index` or more."""
    lowest_exact = (index - INDEX_STEP / 2) * max_score / HUNDRED
    return lowest_exact.quantize(SCORE_STEP, rounding=ROUND_CEILING)


@dataclass(frozen=True)
class NextRankGain:
    """What the unit needs: to equal `above` (its rank) and to pass it, in index points and in
    points of total on the unit's own scale (its criteria set's maximum)."""

    above: UnitOutcome
    index_points: Decimal
    total_points: Decimal
    index_points_to_pass: Decimal
    total_points_to_pass: Decimal


def next_above(outcomes: Sequence[UnitOutcome], own: UnitOutcome) -> UnitOutcome | None:
    """The unit ranked just above: the lowest index strictly greater than the unit's own
    (the first by code among several with it)."""
    if own.index is None:
        return None
    better = [o for o in outcomes if o.index is not None and o.index > own.index]
    return min(better, key=lambda o: (o.index, o.unit.code)) if better else None


def next_rank_gain(
    outcomes: Sequence[UnitOutcome], own: UnitOutcome, *, max_score: Decimal
) -> NextRankGain | None:
    """The gains for a unit with a computed rank and a total; None at the top, or where the
    rank is not computed (a partial group's ranks are not the group's, so no gain is real)."""
    if own.rank_basis != "computed" or own.index is None or own.total is None:
        return None
    above = next_above(outcomes, own)
    if above is None or above.index is None:
        return None
    to_pass = above.index + INDEX_STEP
    return NextRankGain(
        above=above,
        index_points=above.index - own.index,
        total_points=total_for_index(above.index, max_score) - own.total,
        index_points_to_pass=to_pass - own.index,
        total_points_to_pass=total_for_index(to_pass, max_score) - own.total,
    )
