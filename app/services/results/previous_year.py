"""The previous-year block of a ranking entry: the unit's and its predecessors' results, and
whether a change can be stated (comparison.comparability decides, with a reason code)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from app.services.results.comparison import (
    PreviousFacts,
    Reorganisation,
    comparability,
    reorganisations,
    year_edges,
)
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome, UnitSnapshot
from app.services.results.lineage import LineageEdge, PreviousLink, previous_links, units_as_of
from app.services.results.presenting import JsonFields, Labels, index_text


@dataclass(frozen=True)
class PreviousContext:
    """What every entry's previous-year block needs, read once for the whole group."""

    year: int
    year_exists: bool
    # What the year's lineage events did to each unit they touch (comparison.reorganisation).
    reorganisations: dict[int, Reorganisation]
    links: dict[int, list[PreviousLink]]
    units: dict[int, UnitSnapshot]
    groups: dict[str, GroupYear]  # the previous year's results of each linked unit's group
    cut_off: date  # the previous year's units_as_of date (lineage.units_as_of)


async def previous_context(
    results: GroupResultService, group_year: GroupYear, *, previous_year_exists: bool
) -> PreviousContext:
    """The lineage links and the previous year's groups, in a few queries for the whole group.

    `previous_year_exists` is results.year_exists(group_year.year - 1), which the caller
    has already asked to decide what to read."""
    edges = await results.lineage_edges()
    cut_offs = await results.units_as_of_dates()
    # Each unit's links come from the events into it only: a group of a thousand units
    # would otherwise scan every event a thousand times.
    into: defaultdict[int, list[LineageEdge]] = defaultdict(list)
    for edge in edges:
        into[edge.successor_id].append(edge)
    links = {
        o.unit.id: previous_links(o.unit.id, group_year.year, into.get(o.unit.id, ()), cut_offs)
        for o in group_year.outcomes
    }
    units = await _linked_units(results, group_year, links)
    previous_year = group_year.year - 1
    groups: dict[str, GroupYear] = {}
    if previous_year_exists:
        for code in sorted({unit.group_code for unit in units.values()}):
            groups[code] = await results.group_year(year=previous_year, group=code)
    return PreviousContext(
        year=previous_year,
        year_exists=previous_year_exists,
        reorganisations=reorganisations(year_edges(group_year.year, edges, cut_offs)),
        links=links,
        units=units,
        groups=groups,
        cut_off=units_as_of(previous_year, cut_offs),
    )


async def _linked_units(
    results: GroupResultService, group_year: GroupYear, links: dict[int, list[PreviousLink]]
) -> dict[int, UnitSnapshot]:
    """Every linked unit: the group's own (most links are a unit to itself) as the group's
    results hold them, the others (predecessors elsewhere) read."""
    in_group = {outcome.unit.id: outcome.unit for outcome in group_year.outcomes}
    linked = {link.unit_id for unit_links in links.values() for link in unit_links}
    units = {unit_id: in_group[unit_id] for unit_id in linked if unit_id in in_group}
    if len(units) < len(linked):
        units.update(await results.unit_snapshots(linked - units.keys()))
    return units


def previous_read(outcome: UnitOutcome, context: PreviousContext, labels: Labels) -> JsonFields:
    """The previous year's results of the unit and of its recorded predecessors, each shown
    as it was (never aggregated), and the change where the two years compare: PreviousRead's
    fields, JSON-ready (decimals as IndexOut writes them)."""
    links = context.links[outcome.unit.id]
    results: list[JsonFields] = []
    with_result: set[int] = set()
    first: UnitOutcome | None = None  # the first previous result: the one compared with
    for link in links:
        unit = context.units[link.unit_id]
        group = context.groups.get(unit.group_code)
        found = group.outcome_of(link.unit_id) if group is not None else None
        if found is None or (found.index is None and found.rank is None):
            continue
        with_result.add(link.unit_id)
        if first is None:
            first = found
        results.append(
            {
                "unit": labels.unit(unit),
                "relation": link.relation,
                "effective_date": link.effective_date.isoformat() if link.effective_date else None,
                "index": index_text(found.index),
                "rank": found.rank,
            }
        )
    verdict = comparability(_facts(outcome, context, links, with_result))
    single = first if verdict.comparable else None
    previous_index = single.index if single else None
    previous_rank = single.rank if single else None
    return {
        "year": context.year,
        "comparable": verdict.comparable,
        "reason_code": verdict.code,
        "reason": verdict.reason(context.year, labels.language),
        "results": results,
        "index": index_text(previous_index),
        "rank": previous_rank,
        "rank_change": _difference(previous_rank, outcome.rank),
        "index_change": index_text(_difference(outcome.index, previous_index)),
    }


def _facts(
    outcome: UnitOutcome,
    context: PreviousContext,
    links: list[PreviousLink],
    with_result: set[int],
) -> PreviousFacts:
    codes = {context.units[link.unit_id].group_code for link in links}
    groups = [context.groups[code] for code in codes if code in context.groups]
    with_results = [group for group in groups if group.coverage.units_with_result]
    valid_from = outcome.unit.valid_from
    return PreviousFacts(
        year_exists=context.year_exists,
        reorganisation=context.reorganisations.get(outcome.unit.id),
        links=links,
        with_result=with_result,
        unit_is_new=valid_from is not None and valid_from > context.cut_off,
        group_has_results=bool(with_results),
        group_complete=all(group.coverage.complete for group in with_results),
    )


NumberT = TypeVar("NumberT", int, Decimal)


def _difference(later: NumberT | None, earlier: NumberT | None) -> NumberT | None:
    """later − earlier, when both are known."""
    if later is None or earlier is None:
        return None
    return later - earlier
