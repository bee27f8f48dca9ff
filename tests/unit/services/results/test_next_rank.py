"""Points to the next rank: the smallest gain that raises a unit's rank, and proof of minimality."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.services.results.group_year import RankBasis, UnitOutcome, UnitSnapshot
from app.services.results.next_rank import next_rank_gain, total_for_index
from app.services.results.ranking_rules import rank_with_ties
from app.services.results.scoring import index_of

D = Decimal
ONE_STEP = D("0.0001")  # the precision scores are stored at
MAXIMA = [D("2.5"), D("7"), D("8.5"), D("10"), D("100")]


def scored_group(
    totals: list[Decimal], max_score: Decimal, *, rank_basis: RankBasis = "computed"
) -> list[UnitOutcome]:
    """Outcomes of a complete group: index = total / max × 100 half-up, competition ranks."""
    indices = {uid: index_of(total, max_score) for uid, total in enumerate(totals)}
    ranks = {r.key: r for r in rank_with_ties(list(indices.items()))}
    return [
        UnitOutcome(
            unit=UnitSnapshot(uid, f"U{uid:03}", "u", "u", "g", None, None),
            finals={},
            missing_leaves=0,
            total=total,
            index=indices[uid],
            basis="leaf_scores",
            band=None,
            published=None,
            rank=ranks[uid].rank,
            tie_size=ranks[uid].tie_size,
            rank_basis=rank_basis,
        )
        for uid, total in enumerate(totals)
    ]


def rank_with_total(
    outcomes: list[UnitOutcome], own: UnitOutcome, total: Decimal, max_score: Decimal
) -> int:
    """The unit's competition rank if its total were `total`, the others unchanged."""
    index = index_of(total, max_score)
    others = [o.index for o in outcomes if o is not own and o.index is not None]
    return 1 + sum(1 for other in others if other > index)


def rank_with_index(outcomes: list[UnitOutcome], own: UnitOutcome, index: Decimal) -> int:
    others = [o.index for o in outcomes if o is not own and o.index is not None]
    return 1 + sum(1 for other in others if other > index)


totals_in_ten_thousandths = st.lists(
    st.integers(min_value=0, max_value=1_000_000), min_size=2, max_size=15
)


class TestNextRankGain:
    def test_equalling_the_unit_above_is_enough(self) -> None:
        group = scored_group([D("88.87"), D("89.36")], D("100"))
        gain = next_rank_gain(group, group[0], max_score=D("100"))
        assert gain is not None
        assert (gain.index_points, gain.total_points) == (D("0.49"), D("0.4850"))
        # 89.355 rounds half-up to 89.36: the two share rank 1.
        assert rank_with_total(group, group[0], D("89.355"), D("100")) == 1
        assert (gain.index_points_to_pass, gain.total_points_to_pass) == (D("0.50"), D("0.4950"))

    def test_on_the_units_own_scale(self) -> None:
        # Max 8.5: reaching 60.00 needs 59.995 % of 8.5 = 5.099575, i.e. 5.0996 at 0.0001.
        assert total_for_index(D("60.00"), D("8.5")) == D("5.0996")
        assert index_of(D("5.0996"), D("8.5")) == D("60.00")
        assert index_of(D("5.0995"), D("8.5")) == D("59.99")

    def test_the_top_unit_has_no_next_rank(self) -> None:
        group = scored_group([D("5"), D("6")], D("10"))
        assert next_rank_gain(group, group[1], max_score=D("10")) is None

    def test_a_rank_that_is_not_computed_offers_nothing(self) -> None:
        group = scored_group([D("5"), D("6")], D("10"), rank_basis="published")
        assert next_rank_gain(group, group[0], max_score=D("10")) is None

    @given(totals_in_ten_thousandths, st.sampled_from(MAXIMA), st.data())
    def test_the_reported_gain_is_the_smallest_that_raises_the_rank(
        self, units: list[int], max_score: Decimal, data: st.DataObject
    ) -> None:
        totals = [min(D(value) * ONE_STEP, max_score) for value in units]
        group = scored_group(totals, max_score)
        not_first = [o for o in group if o.rank is not None and o.rank > 1]
        if not not_first:
            return
        own = data.draw(st.sampled_from(not_first))
        assert own.total is not None
        assert own.index is not None
        assert own.rank is not None
        gain = next_rank_gain(group, own, max_score=max_score)
        assert gain is not None
        total = own.total

        # In points of total: with the gain the rank improves; 0.0001 (or 0.01) less does not.
        assert rank_with_total(group, own, total + gain.total_points, max_score) < own.rank
        short = total + gain.total_points - ONE_STEP
        assert rank_with_total(group, own, short, max_score) == own.rank
        assert rank_with_total(group, own, short - D("0.0099"), max_score) >= own.rank
        # In index points likewise.
        assert rank_with_index(group, own, own.index + gain.index_points) < own.rank
        assert rank_with_index(group, own, own.index + gain.index_points - D("0.01")) == own.rank
        # To pass: strictly above the unit above; a step less at most equals it.
        above = gain.above.index
        assert above is not None
        assert index_of(total + gain.total_points_to_pass, max_score) > above
        assert index_of(total + gain.total_points_to_pass - ONE_STEP, max_score) <= above
        assert own.index + gain.index_points_to_pass == above + D("0.01")
