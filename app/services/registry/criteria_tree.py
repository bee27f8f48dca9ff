"""Rules of a criteria tree given as a flat list of hierarchical codes (pure, no database)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.core.errors import Problem
from app.core.messages import message
from app.models.enums import ScoringMethod

SCORED_METHODS = frozenset({ScoringMethod.APPRAISAL, ScoringMethod.SURVEY, ScoringMethod.INDICATOR})


class NodeLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def max_score(self) -> Decimal: ...
    @property
    def method(self) -> ScoringMethod | None: ...


def parent_code(code: str) -> str | None:
    """'3.2.1' → '3.2'; a field ('3') has no parent."""
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def code_key(code: str) -> tuple[int, ...]:
    """Sort key that puts '3.10' after '3.9'."""
    return tuple(int(part) for part in code.split("."))


@dataclass(frozen=True)
class TreeCheck:
    problems: list[Problem]
    # The index denominator: Σ max over scored (appraisal/survey/indicator) leaves.
    scored_max: Decimal


def validate_tree(
    nodes: Sequence[NodeLike], *, declared_max: Decimal | None, loc: Sequence[str] = ("criteria",)
) -> TreeCheck:
    """Check a tree given as a flat list of coded nodes; report every problem, not the first.

    Rules: codes are unique and each non-root code's parent is present; leaves carry a method
    and a positive max (a penalty's max is the cap on its deduction), inner nodes carry none;
    an inner node's max equals the sum of its children's maxima, where penalty-only children
    are left out unless the node itself is penalty-only (then it is the sum of their caps);
    the set's maximum is the sum over scored leaves and, if declared, must match.
    """
    by_code = _first_positions(nodes)
    children = _children_present(by_code)
    problems = [*_duplicate_codes(nodes, loc), *_missing_parents(by_code, loc)]
    expected = _children_sums(nodes, by_code, children)
    for code, position in by_code.items():
        node = nodes[position]
        at: list[str | int] = [*loc, position]
        if code in children:
            problems += _inner_node_problems(node, at, children_sum=expected[code])
        else:
            problems += _leaf_problems(node, at)
    scored_max = _scored_max(nodes, by_code, children)
    problems += _maximum_problems(scored_max, declared_max=declared_max, loc=loc)
    return TreeCheck(problems=problems, scored_max=scored_max)


def _first_positions(nodes: Sequence[NodeLike]) -> dict[str, int]:
    """Each code's position in the list; a repeated code keeps its first."""
    by_code: dict[str, int] = {}
    for position, node in enumerate(nodes):
        by_code.setdefault(node.code, position)
    return by_code


def _children_present(by_code: dict[str, int]) -> dict[str, list[str]]:
    """Each code's children, in list order; a child whose parent is missing has no entry."""
    children: dict[str, list[str]] = defaultdict(list)
    for code in by_code:
        parent = parent_code(code)
        if parent is not None and parent in by_code:
            children[parent].append(code)
    return children


def _duplicate_codes(nodes: Sequence[NodeLike], loc: Sequence[str]) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for position, node in enumerate(nodes):
        if node.code in seen:
            problems.append(
                Problem(
                    [*loc, position, "code"], message("criteria.duplicate-code", code=node.code)
                )
            )
        seen.add(node.code)
    return problems


def _missing_parents(by_code: dict[str, int], loc: Sequence[str]) -> list[Problem]:
    return [
        Problem(
            [*loc, position, "code"], message("criteria.parent-missing", parent=parent, code=code)
        )
        for code, position in by_code.items()
        if (parent := parent_code(code)) is not None and parent not in by_code
    ]


def _children_sums(
    nodes: Sequence[NodeLike], by_code: dict[str, int], children: dict[str, list[str]]
) -> dict[str, Decimal]:
    """What each inner node's max must be: its children's maxima, penalty-only ones left out
    unless the node itself is penalty-only."""
    penalty_only = _penalty_only_codes(nodes, by_code, children)
    return {
        code: sum(
            (
                nodes[by_code[child]].max_score
                for child in kids
                if code in penalty_only or child not in penalty_only
            ),
            Decimal(0),
        )
        for code, kids in children.items()
    }


def _inner_node_problems(
    node: NodeLike, at: list[str | int], *, children_sum: Decimal
) -> list[Problem]:
    problems: list[Problem] = []
    if node.method is not None:
        problems.append(Problem([*at, "method"], message("criteria.inner-method", code=node.code)))
    if node.max_score != children_sum:
        problems.append(
            Problem(
                [*at, "max_score"],
                message(
                    "criteria.children-sum",
                    code=node.code,
                    max=node.max_score,
                    sum=children_sum,
                ),
            )
        )
    return problems


def _leaf_problems(node: NodeLike, at: list[str | int]) -> list[Problem]:
    problems: list[Problem] = []
    if node.method is None:
        problems.append(Problem([*at, "method"], message("criteria.leaf-method", code=node.code)))
    # A max of 0 is allowed: frameworks carry informational items that earn no points.
    if node.max_score < 0:
        problems.append(
            Problem([*at, "max_score"], message("criteria.negative-max", code=node.code))
        )
    return problems


def _scored_max(
    nodes: Sequence[NodeLike], by_code: dict[str, int], children: dict[str, list[str]]
) -> Decimal:
    """The index denominator: Σ max over scored (appraisal/survey/indicator) leaves."""
    return sum(
        (
            nodes[position].max_score
            for code, position in by_code.items()
            if code not in children and nodes[position].method in SCORED_METHODS
        ),
        Decimal(0),
    )


def _maximum_problems(
    scored_max: Decimal, *, declared_max: Decimal | None, loc: Sequence[str]
) -> list[Problem]:
    problems: list[Problem] = []
    if scored_max <= 0:
        problems.append(Problem([*loc], message("criteria.no-scored-leaf")))
    if declared_max is not None and declared_max != scored_max:
        problems.append(
            Problem(
                ["max_score"],
                message("criteria.declared-max", declared=declared_max, sum=scored_max),
            )
        )
    return problems


def _penalty_only_codes(
    nodes: Sequence[NodeLike], by_code: dict[str, int], children: dict[str, list[str]]
) -> set[str]:
    """Codes whose every leaf beneath (or itself, for a leaf) is a penalty."""
    result: set[str] = set()

    def visit(code: str) -> bool:
        kids = children.get(code)
        if not kids:
            is_penalty = nodes[by_code[code]].method == ScoringMethod.PENALTY
        else:
            # Visit every child (no short-circuit) so each subtree is classified.
            verdicts = [visit(child) for child in kids]
            is_penalty = all(verdicts)
        if is_penalty:
            result.add(code)
        return is_penalty

    for code in by_code:
        if parent_code(code) is None or parent_code(code) not in by_code:
            visit(code)
    return result
