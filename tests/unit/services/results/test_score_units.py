"""Integer arithmetic on scores and the per-node group statistics built on it."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.enums import ScoringMethod
from app.services.results.breakdown import node_statistics, self_points
from app.services.results.group_year import UnitOutcome
from app.services.results.ranking_rules import competition_rank, rank_with_ties
from app.services.results.score_units import (
    LeafScores,
    from_units,
    leaf_units,
    node_points,
    signed_total,
    to_units,
)
from app.services.results.scoring import Tree, build_tree, node_score, total_score
from tests.unit.services.results.outcomes import outcome

D = Decimal
SCORED, SURVEY = ScoringMethod.APPRAISAL, ScoringMethod.SURVEY
BONUS, PENALTY = ScoringMethod.BONUS, ScoringMethod.PENALTY


def tree() -> Tree:
    """Two fields of three levels, a bonus and a penalty part."""
    rows = [
        ("1", "Một", "One", D(6), None),
        ("1.1", "", "", D(4), None),
        ("1.1.1", "", "", D(2), SCORED),
        ("1.1.2", "", "", D(2), SURVEY),
        ("1.2", "", "", D(2), SCORED),
        ("2", "Hai", "Two", D(4), None),
        ("2.1", "", "", D(3), SCORED),
        ("2.2", "", "", D(1), BONUS),
        ("3", "Ba", "Three", D(2), None),
        ("3.1", "", "", D("1.5"), PENALTY),
        ("3.2", "", "", D("0.5"), PENALTY),
    ]
    return build_tree(rows, D(10))


TREE = tree()
LEAVES = TREE.leaf_codes
scores = st.none() | st.decimals(min_value=0, max_value=2, places=4, allow_nan=False)
unit_scores = st.lists(scores, min_size=len(LEAVES), max_size=len(LEAVES))


def finals_of(values: list[Decimal | None]) -> dict[str, Decimal]:
    return {code: value for code, value in zip(LEAVES, values, strict=True) if value is not None}


class TestUnits:
    def test_round_trip_is_exact(self) -> None:
        assert to_units(D("87.2100")) == 872100
        assert from_units(872100) == D("87.21")
        assert from_units(None) is None

    def test_more_than_four_decimals_is_refused(self) -> None:
        with pytest.raises(ValueError, match="four decimals"):
            to_units(D("0.00005"))

    def test_leaf_scores_read_as_decimals_and_list_only_scored_leaves(self) -> None:
        row = [12345, None, 0, None, 5000, None, None]
        read = LeafScores(TREE, row)
        assert list(read) == ["1.1.1", "1.2", "2.2"]
        assert len(read) == 3
        assert read["1.1.1"] == D("1.2345")
        assert read["1.2"] == 0
        assert read.get("1.1.2") is None
        with pytest.raises(KeyError):
            read["9.9"]
        assert leaf_units(TREE, read) is row
        assert leaf_units(TREE, {"1.1.1": D("1.2345")}) == [12345] + [None] * 6


class TestNodePoints:
    @given(st.lists(unit_scores, min_size=1, max_size=6))
    def test_every_node_equals_node_score(self, units: list[list[Decimal | None]]) -> None:
        rows = [[None if v is None else to_units(v) for v in values] for values in units]
        points = node_points(TREE, rows)
        for position, values in enumerate(units):
            finals = finals_of(values)
            for code in TREE.order:
                assert from_units(points[code][position]) == node_score(TREE, code, finals)
            assert from_units(signed_total(TREE, rows[position])) == total_score(TREE, finals)

    def test_penalties_count_against_their_nodes(self) -> None:
        points = node_points(TREE, [[0, 0, 0, 0, 0, 15000, 5000]])
        assert points["3"] == [-20000]
        assert points["3.1"] == [-15000]

    def test_no_rows_gives_empty_columns(self) -> None:
        assert node_points(TREE, []) == {code: [] for code in TREE.order}


class TestCompetitionRank:
    @given(st.lists(st.integers(min_value=-5, max_value=5), min_size=1, max_size=30))
    def test_agrees_with_rank_with_ties(self, values: list[int]) -> None:
        ascending = sorted(values)
        expected = {
            r.key: r.rank for r in rank_with_ties([(i, D(v)) for i, v in enumerate(values)])
        }
        assert [competition_rank(v, ascending) for v in values] == [
            expected[i] for i in range(len(values))
        ]


class TestNodeStatistics:
    @given(st.lists(unit_scores, min_size=1, max_size=8))
    def test_mean_best_rank_and_count_per_node(self, units: list[list[Decimal | None]]) -> None:
        outcomes = [
            _scored(f"U{i}", finals_of(values), unit_id=i) for i, values in enumerate(units)
        ]
        stats = node_statistics(TREE, outcomes)
        for code in TREE.order:
            points = {o.unit.id: node_score(TREE, code, o.finals) for o in outcomes}
            values = list(points.values())
            node = stats[code]
            mean = sum(values, D(0)) / len(values)
            assert node.mean == mean.quantize(D("0.0001"), rounding=ROUND_HALF_UP)
            assert node.best == max(values)
            for unit_id, value in points.items():
                assert node.score(unit_id) == value
                assert node.rank(unit_id) == 1 + sum(1 for v in values if v > value)
            assert node.count_below(D(1)) == sum(1 for v in values if v < 1)

    def test_units_without_leaf_scores_take_no_part(self) -> None:
        published_only = outcome("P", "99.5", unit_id=99)
        scored = _scored("S", {"1.1.1": D(1)}, unit_id=1)
        stats = node_statistics(TREE, [published_only, scored])
        assert stats["1"].rank(1) == 1
        assert stats["1"].mean == D(1)
        assert node_statistics(TREE, [published_only]) == {}


class TestSelfPoints:
    def test_nodes_without_any_self_score_are_none(self) -> None:
        points = self_points(TREE, {"1.1.1": D("1.5"), "3.1": D("0.5")})
        assert points["1.1.1"] == D("1.5")
        assert points["1.1"] == D("1.5")
        assert points["1.2"] is None
        assert points["2"] is None
        assert points["3"] == D("-0.5")

    def test_a_self_scored_penalty_does_not_cancel_a_scored_leaf(self) -> None:
        # One scored leaf and one penalty under the same node: still two self scores.
        mixed = build_tree(
            [
                ("1", "", "", D(2), None),
                ("1.1", "", "", D(1), SCORED),
                ("1.2", "", "", D(1), PENALTY),
            ],
            D(2),
        )
        assert self_points(mixed, {"1.1": D(0), "1.2": D(0)})["1"] == D(0)


def _scored(code: str, finals: dict[str, Decimal], *, unit_id: int) -> UnitOutcome:
    """An outcome with leaf scores (the index is not used by node statistics)."""
    unit = outcome(code, "0", unit_id=unit_id).unit
    return UnitOutcome(unit, finals, 0, total_score(TREE, finals), D(0), "leaf_scores", None, None)
