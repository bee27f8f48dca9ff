"""The previous-year block of a ranking entry: the unit's and its predecessors' results, and
whether a change can be stated (comparison.comparability decides, with a reason code)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from app.core.i18n import Language
from app.schemas.rankings import PreviousRead, PreviousResultRead
from app.services.results.comparison import (
    PreviousFacts,
    comparability,
    reorganisation,
    year_edges,
)
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome, UnitSnapshot
from app.services.results.lineage import LineageEdge, PreviousLink, previous_links, units_as_of
from app.services.results.presenting import unit_label


@dataclass(frozen=True)
class PreviousContext:
    """What every entry's previous-year block needs, read once for the whole group."""

    year: int
    year_exists: bool
    edges_of_year: list[LineageEdge]
    links: dict[int, list[PreviousLink]]
    units: dict[int, UnitSnapshot]
    groups: dict[str, GroupYear]  # the previous year's results of each linked unit's group
    cut_offs: Mapping[int, date]  # each year's units_as_of date (lineage.units_as_of)


async def previous_context(results: GroupResultService, group_year: GroupYear) -> PreviousContext:
    """The lineage links and the previous year's groups, in a few queries for the whole group."""
    edges = await results.lineage_edges()
    cut_offs = await results.units_as_of_dates()
    links = {
        o.unit.id: previous_links(o.unit.id, group_year.year, edges, cut_offs)
        for o in group_year.outcomes
    }
    units = await results.unit_snapshots(
        {link.unit_id for unit_links in links.values() for link in unit_links}
    )
    previous_year = group_year.year - 1
    year_exists = await results.year_exists(previous_year)
    groups: dict[str, GroupYear] = {}
    if year_exists:
        for code in sorted({unit.group_code for unit in units.values()}):
            groups[code] = await results.group_year(year=previous_year, group=code)
    return PreviousContext(
        year=previous_year,
        year_exists=year_exists,
        edges_of_year=year_edges(group_year.year, edges, cut_offs),
        links=links,
        units=units,
        groups=groups,
        cut_offs=cut_offs,
    )


def previous_read(
    outcome: UnitOutcome, context: PreviousContext, language: Language
) -> PreviousRead:
    """The previous year's results of the unit and of its recorded predecessors, each shown
    as it was (never aggregated), and the change where the two years compare."""
    links = context.links[outcome.unit.id]
    results: list[PreviousResultRead] = []
    with_result: set[int] = set()
    for link in links:
        unit = context.units[link.unit_id]
        group = context.groups.get(unit.group_code)
        found = group.outcome_of(link.unit_id) if group is not None else None
        if found is None or (found.index is None and found.rank is None):
            continue
        with_result.add(link.unit_id)
        results.append(
            PreviousResultRead(
                unit=unit_label(unit, language),
                relation=link.relation,
                effective_date=link.effective_date.isoformat() if link.effective_date else None,
                index=found.index,
                rank=found.rank,
            )
        )
    verdict = comparability(_facts(outcome, context, links, with_result))
    single = results[0] if verdict.comparable else None
    return PreviousRead(
        year=context.year,
        comparable=verdict.comparable,
        reason_code=verdict.code,
        reason=verdict.reason(context.year, language),
        results=results,
        index=single.index if single else None,
        rank=single.rank if single else None,
        rank_change=_difference(single.rank if single else None, outcome.rank),
        index_change=_difference(outcome.index, single.index if single else None),
    )


def _facts(
    outcome: UnitOutcome,
    context: PreviousContext,
    links: list[PreviousLink],
    with_result: set[int],
) -> PreviousFacts:
    groups = [
        context.groups[code]
        for code in sorted({context.units[link.unit_id].group_code for link in links})
        if code in context.groups
    ]
    with_results = [group for group in groups if group.coverage.units_with_result]
    valid_from = outcome.unit.valid_from
    cut_off = units_as_of(context.year, context.cut_offs)
    return PreviousFacts(
        year_exists=context.year_exists,
        reorganisation=reorganisation(outcome.unit.id, context.edges_of_year),
        links=links,
        with_result=with_result,
        unit_is_new=valid_from is not None and valid_from > cut_off,
        group_has_results=bool(with_results),
        group_complete=all(group.coverage.complete for group in with_results),
    )


NumberT = TypeVar("NumberT", int, Decimal)


def _difference(later: NumberT | None, earlier: NumberT | None) -> NumberT | None:
    """later − earlier, when both are known."""
    if later is None or earlier is None:
        return None
    return later - earlier
