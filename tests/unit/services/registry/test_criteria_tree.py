"""The rules of a criteria tree given as a flat list of hierarchical codes."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.models.enums import ScoringMethod
from app.services.registry.criteria_tree import code_key, parent_code, validate_tree

APPRAISAL, SURVEY, INDICATOR = (
    ScoringMethod.APPRAISAL,
    ScoringMethod.SURVEY,
    ScoringMethod.INDICATOR,
)
BONUS, PENALTY = ScoringMethod.BONUS, ScoringMethod.PENALTY


@dataclass(frozen=True)
class Node:
    code: str
    max_score: Decimal
    method: ScoringMethod | None = None


def n(code: str, max_score: str, method: ScoringMethod | None = None) -> Node:
    return Node(code, Decimal(max_score), method)


def small_tree() -> list[Node]:
    """10 scored points, a bonus point and a penalty capped at 2."""
    return [
        n("1", "4"),
        n("1.1", "1.5", APPRAISAL),
        n("1.2", "2.5", INDICATOR),
        n("2", "6"),
        n("2.1", "6", SURVEY),
        n("3", "1"),
        n("3.1", "1", BONUS),
        n("3.2", "2", PENALTY),
    ]


def locs(nodes: list[Node], declared_max: str | None = None) -> list[list[str | int]]:
    declared = Decimal(declared_max) if declared_max is not None else None
    return [list(p.loc) for p in validate_tree(nodes, declared_max=declared).problems]


class TestCodes:
    @pytest.mark.parametrize(
        ("code", "parent"), [("3", None), ("3.2", "3"), ("3.2.1", "3.2"), ("10.11", "10")]
    )
    def test_parent_is_the_code_without_its_last_part(self, code: str, parent: str | None) -> None:
        assert parent_code(code) == parent

    def test_codes_sort_numerically(self) -> None:
        codes = ["3.10", "10", "3.9", "3", "2.1.1", "2"]
        assert sorted(codes, key=code_key) == ["2", "2.1.1", "3", "3.9", "3.10", "10"]


class TestValidTree:
    def test_small_tree_has_no_problem(self) -> None:
        check = validate_tree(small_tree(), declared_max=Decimal("10"))
        assert check.problems == []

    def test_maximum_is_the_sum_of_scored_leaves_only(self) -> None:
        check = validate_tree(small_tree(), declared_max=None)
        assert check.scored_max == Decimal("10")

    def test_order_of_the_list_does_not_matter(self) -> None:
        assert locs(list(reversed(small_tree())), "10") == []

    def test_deep_tree_sums_level_by_level(self) -> None:
        nodes = [
            n("1", "3"),
            n("1.1", "3"),
            n("1.1.1", "1.25", APPRAISAL),
            n("1.1.2", "1.75", SURVEY),
        ]
        check = validate_tree(nodes, declared_max=Decimal("3"))
        assert check.problems == []
        assert check.scored_max == Decimal("3")

    def test_decimal_maxima_add_up_exactly(self) -> None:
        nodes = [n("1", "0.3"), n("1.1", "0.1", APPRAISAL), n("1.2", "0.2", APPRAISAL)]
        assert locs(nodes, "0.3") == []

    def test_bonus_counts_towards_its_parent_but_not_the_set_maximum(self) -> None:
        nodes = [n("1", "3"), n("1.1", "2", APPRAISAL), n("1.2", "1", BONUS)]
        check = validate_tree(nodes, declared_max=None)
        assert check.problems == []
        assert check.scored_max == Decimal("2")


class TestPenalties:
    def test_penalty_under_a_mixed_node_is_left_out_of_its_sum(self) -> None:
        nodes = [n("1", "2"), n("1.1", "2", APPRAISAL), n("1.2", "5", PENALTY)]
        assert locs(nodes) == []

    def test_penalty_counted_in_a_mixed_node_is_a_mismatch(self) -> None:
        nodes = [n("1", "7"), n("1.1", "2", APPRAISAL), n("1.2", "5", PENALTY)]
        assert locs(nodes) == [["criteria", 0, "max_score"]]

    def test_penalty_only_node_has_the_sum_of_its_caps(self) -> None:
        nodes = [*small_tree(), n("4", "3"), n("4.1", "1", PENALTY), n("4.2", "2", PENALTY)]
        check = validate_tree(nodes, declared_max=Decimal("10"))
        assert check.problems == []
        assert check.scored_max == Decimal("10")

    def test_penalty_only_node_with_another_max_is_a_mismatch(self) -> None:
        nodes = [*small_tree(), n("4", "0"), n("4.1", "1", PENALTY), n("4.2", "2", PENALTY)]
        assert locs(nodes, "10") == [["criteria", 8, "max_score"]]

    def test_penalty_only_subtree_is_left_out_of_a_mixed_parent(self) -> None:
        nodes = [
            n("1", "2"),
            n("1.1", "2", APPRAISAL),
            n("1.2", "3"),
            n("1.2.1", "1", PENALTY),
            n("1.2.2", "2", PENALTY),
        ]
        assert locs(nodes) == []


class TestInvalidTree:
    def test_missing_parent(self) -> None:
        nodes = [*small_tree(), n("4.1", "1", BONUS)]
        assert locs(nodes, "10") == [["criteria", 8, "code"]]

    def test_inner_node_with_a_method(self) -> None:
        nodes = small_tree()
        nodes[0] = n("1", "4", APPRAISAL)
        assert locs(nodes, "10") == [["criteria", 0, "method"]]

    def test_leaf_without_a_method(self) -> None:
        nodes = small_tree()
        nodes[2] = n("1.2", "2.5")
        # Without a method 1.2 is no longer a scored leaf, so the set maximum changes too.
        assert locs(nodes, "10") == [["criteria", 2, "method"], ["max_score"]]

    def test_leaf_with_a_negative_maximum(self) -> None:
        nodes = small_tree()
        nodes[6] = n("3.1", "-1", BONUS)
        nodes[5] = n("3", "-1")
        assert locs(nodes, "10") == [["criteria", 6, "max_score"]]

    def test_leaf_with_maximum_zero_is_an_item_worth_no_points(self) -> None:
        nodes = small_tree()
        nodes[6] = n("3.1", "0", BONUS)
        nodes[5] = n("3", "0")
        assert locs(nodes, "10") == []

    def test_parent_maximum_differs_from_its_children(self) -> None:
        nodes = small_tree()
        nodes[3] = n("2", "5")
        assert locs(nodes, "10") == [["criteria", 3, "max_score"]]

    def test_declared_maximum_differs_from_scored_leaves(self) -> None:
        assert locs(small_tree(), "11") == [["max_score"]]

    def test_duplicate_code(self) -> None:
        nodes = [*small_tree(), n("2.1", "6", SURVEY)]
        assert locs(nodes, "10") == [["criteria", 8, "code"]]

    def test_tree_without_scored_leaves(self) -> None:
        nodes = [n("1", "1"), n("1.1", "1", BONUS)]
        assert locs(nodes) == [["criteria"]]

    def test_location_prefix_can_be_chosen(self) -> None:
        nodes = [*small_tree(), n("4.1", "1", BONUS)]
        check = validate_tree(nodes, declared_max=None, loc=("body", "criteria"))
        assert [list(p.loc) for p in check.problems] == [["body", "criteria", 8, "code"]]

    def test_every_problem_is_reported_not_the_first(self) -> None:
        nodes = [
            n("1", "4", APPRAISAL),  # inner node with a method
            n("1.1", "1.5", APPRAISAL),
            n("1.2", "2.5"),  # leaf without a method
            n("2", "5"),  # children add up to 6
            n("2.1", "6", SURVEY),
            n("2.1", "6", SURVEY),  # duplicate
            n("3", "-1", INDICATOR),  # leaf with a negative max
            n("5.1", "1", APPRAISAL),  # parent 5 missing
        ]
        problems = validate_tree(nodes, declared_max=Decimal("100")).problems
        assert [list(p.loc) for p in problems] == [
            ["criteria", 5, "code"],
            ["criteria", 7, "code"],
            ["criteria", 0, "method"],
            ["criteria", 2, "method"],
            ["criteria", 3, "max_score"],
            ["criteria", 6, "max_score"],
            ["max_score"],
        ]
        assert all(problem.msg for problem in problems)
