"""What a scores file is checked against: the year's units and each group's leaves, loaded once."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from app.core.text import fold
from app.models import OrgUnit
from app.repositories.imports import CriterionRow
from app.services.imports.unit_names import UnitNames
from app.services.registry.criteria_tree import SCORED_METHODS, code_key, parent_code
from app.services.registry.scores import active_in_year


class Leaf(NamedTuple):
    """A leaf criterion of a group's set, as a score row is checked against it."""

    criterion_id: int
    maximum: Decimal
    method: str | None
    # Its place among the group's leaves in tree order: the unit's byte in ScoreChecker.
    position: int


class KnownUnit(NamedTuple):
    """A unit a score row may name, with what its rows are checked against."""

    id: int
    group_id: int
    active: bool  # in the import's year
    leaves: dict[str, Leaf] | None  # its group's leaves by code; None without a criteria set


@dataclass(frozen=True)
class ScoreLookups:
    """What a scores file is checked against, loaded once per import."""

    units: dict[str, KnownUnit]
    group_ids: dict[str, int]
    inner: dict[int, frozenset[str]]
    # Per group, its leaves (code, criterion id) in tree order.
    leaf_order: dict[int, list[tuple[str, int]]]
    criteria_set_ids: list[int]
    # Sheets are named after a group's code or (folded) name.
    sheet_groups: dict[str, int]
    unit_names: UnitNames
    group_leaves: dict[int, dict[str, Leaf]]

    @classmethod
    def build(
        cls,
        *,
        year: int,
        units: Sequence[OrgUnit],
        groups: Iterable[tuple[int, str, str, str]],
        criteria: Sequence[CriterionRow],
    ) -> "ScoreLookups":
        inner_codes: dict[int, set[str]] = {}
        for node in criteria:
            parent = parent_code(node.code)
            if parent is not None:
                inner_codes.setdefault(node.group_id, set()).add(parent)
        leaves: dict[int, dict[str, Leaf]] = {}
        set_ids: dict[int, int] = {}
        for node in sorted(criteria, key=lambda node: code_key(node.code)):
            set_ids[node.group_id] = node.criteria_set_id
            group_leaves = leaves.setdefault(node.group_id, {})
            if node.code not in inner_codes.get(node.group_id, ()):
                leaf = Leaf(node.id, node.max_score, node.method, len(group_leaves))
                group_leaves[node.code] = leaf
        return cls(
            units={
                unit.code: KnownUnit(
                    unit.id, unit.group_id, active_in_year(unit, year), leaves.get(unit.group_id)
                )
                for unit in units
            },
            group_ids={code: group_id for group_id, code, *_ in groups},
            inner={group_id: frozenset(codes) for group_id, codes in inner_codes.items()},
            leaf_order={
                group_id: [(code, leaf.criterion_id) for code, leaf in group_leaves.items()]
                for group_id, group_leaves in leaves.items()
            },
            criteria_set_ids=sorted(set_ids.values()),
            sheet_groups={
                key: group_id
                for group_id, code, *names in groups
                for key in (code, *(fold(name) for name in names))
            },
            unit_names=UnitNames(units, year=year),
            group_leaves=leaves,
        )

    def sheet_group_id(self, sheet_group: str) -> int | None:
        """The group a sheet is named after: by its code, or by its name in either language."""
        found = self.group_ids.get(sheet_group)
        return found if found is not None else self.sheet_groups.get(fold(sheet_group))

    def leaf_maxima(self, sheet_group: str) -> dict[str, Decimal] | None:
        """The maxima of the leaves of the group a sheet is named after (None: no such group
        or no criteria set); a penalty's maximum is its cap."""
        group_id = self.sheet_group_id(sheet_group)
        leaves = self.group_leaves.get(group_id) if group_id is not None else None
        return None if leaves is None else {code: leaf.maximum for code, leaf in leaves.items()}

    def scored_maximum(self, group_id: int) -> Decimal | None:
        """The index denominator of a group's set: the maxima of its scored leaves."""
        leaves = self.group_leaves.get(group_id)
        if not leaves:
            return None
        scored = [leaf.maximum for leaf in leaves.values() if leaf.method in SCORED_METHODS]
        return sum(scored, Decimal(0))

    def unit_codes(self) -> dict[int, str]:
        return {unit.id: code for code, unit in self.units.items()}

    def criterion_codes(self) -> dict[int, str]:
        return {
            criterion_id: code for order in self.leaf_order.values() for code, criterion_id in order
        }
