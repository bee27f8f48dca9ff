"""Rules of a criteria tree given as a flat list of hierarchical codes (pure, no database)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.core.errors import Problem
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
    problems: list[Problem] = []
    by_code: dict[str, int] = {}
    for position, node in enumerate(nodes):
        if node.code in by_code:
            problems.append(Problem([*loc, position, "code"], f"duplicate code {node.code!r}"))
        else:
            by_code[node.code] = position

    children: dict[str, list[str]] = defaultdict(list)
    for code, position in by_code.items():
        parent = parent_code(code)
        if parent is None:
            continue
        if parent in by_code:
            children[parent].append(code)
        else:
            problems.append(
                Problem([*loc, position, "code"], f"parent {parent!r} of {code!r} is missing")
            )

    penalty_only = _penalty_only_codes(nodes, by_code, children)
    for code, position in by_code.items():
        node = nodes[position]
        if code in children:
            if node.method is not None:
                problems.append(
                    Problem([*loc, position, "method"], f"{code!r} has children, so no method")
                )
            counted = [
                nodes[by_code[child]].max_score
                for child in children[code]
                if code in penalty_only or child not in penalty_only
            ]
            expected = sum(counted, Decimal(0))
            if node.max_score != expected:
                problems.append(
                    Problem(
                        [*loc, position, "max_score"],
                        f"{code!r} has max {node.max_score} but its children add up to {expected}",
                    )
                )
        else:
            if node.method is None:
                problems.append(
                    Problem([*loc, position, "method"], f"leaf {code!r} needs a method")
                )
            if node.max_score <= 0:
                problems.append(
                    Problem([*loc, position, "max_score"], f"leaf {code!r} needs a max above 0")
                )

    scored_max = sum(
        (
            nodes[position].max_score
            for code, position in by_code.items()
            if code not in children and nodes[position].method in SCORED_METHODS
        ),
        Decimal(0),
    )
    if scored_max <= 0:
        problems.append(Problem([*loc], "the tree has no scored leaf with a positive max"))
    if declared_max is not None and declared_max != scored_max:
        problems.append(
            Problem(
                ["max_score"],
                f"declared max {declared_max} differs from the scored leaves' sum {scored_max}",
            )
        )
    return TreeCheck(problems=problems, scored_max=scored_max)


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
