"""Following units across years: whose earlier results count as a unit's own (pure rules)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from app.models.enums import LineageKind

Relation = Literal["self", "merge", "split", "rename", "transfer"]


@dataclass(frozen=True)
class LineageEdge:
    predecessor_id: int
    successor_id: int
    kind: LineageKind
    effective_date: date


class PreviousLink(NamedTuple):
    """A unit whose previous-year result is shown for this unit, and how the two are related."""

    unit_id: int
    relation: Relation
    effective_date: date | None = None


def units_as_of(year: int, cut_offs: Mapping[int, date]) -> date:
    """The date a year's results describe the units at: as stored with the year, else (and
    for a year not stored) 31 December of the year."""
    return cut_offs.get(year, date(year, 12, 31))


def changes_between_years(
    unit_id: int, year: int, edges: Sequence[LineageEdge], cut_offs: Mapping[int, date]
) -> list[LineageEdge]:
    """Events that made the unit what it is in `year` since the previous year's results.

    An event counts when it took effect after the previous year's cut-off and on or before
    this year's: the first year whose results reflect it. Cut-offs never go backwards, so each
    event changes exactly one year-over-year comparison.
    """
    start, end = units_as_of(year - 1, cut_offs), units_as_of(year, cut_offs)
    return [
        edge
        for edge in edges
        if edge.successor_id == unit_id and start < edge.effective_date <= end
    ]


def previous_links(
    unit_id: int, year: int, edges: Sequence[LineageEdge], cut_offs: Mapping[int, date]
) -> list[PreviousLink]:
    """The unit itself, then each recorded predecessor of the change window, oldest first."""
    links = [PreviousLink(unit_id=unit_id, relation="self")]
    if not edges:  # most units of a ranking: nothing ever merged into them
        return links
    for edge in sorted(
        changes_between_years(unit_id, year, edges, cut_offs),
        key=lambda e: (e.effective_date, e.predecessor_id),
    ):
        links.append(PreviousLink(edge.predecessor_id, edge.kind.value, edge.effective_date))
    return links
