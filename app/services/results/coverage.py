"""How complete a (year, group)'s results are, and what its sources published (pure rules).

A rank or a statistic describes a group only when it is computed over the whole group. A group
is complete when every unit of it that year has a result computed from leaf scores (the units
of the group are those of the registry on the year's `units_as_of` date, by default 31
December), or when a source states the group's size and lists that many units. Otherwise it
is partial, and only what the sources published is shown: published ranks and places, never a
computed one.
"""

from collections import Counter
from collections.abc import Iterable, Sequence, Set
from datetime import date

from app.services.results.group_year import (
    Coverage,
    GroupSummarySnapshot,
    PublishedExtent,
    PublishedScope,
    UnitOutcome,
    UnitSnapshot,
)
from app.services.results.positions import is_bottom, is_top, position_code


def members_on(units: Iterable[UnitSnapshot], day: date) -> frozenset[int]:
    """The units of the registry that exist on `day` (open validity ends count as valid)."""
    return frozenset(
        unit.id
        for unit in units
        if (unit.valid_from is None or unit.valid_from <= day)
        and (unit.valid_to is None or day <= unit.valid_to)
    )


def group_coverage(
    outcomes: Sequence[UnitOutcome], *, members: Set[int], summary: GroupSummarySnapshot | None
) -> Coverage:
    """The coverage of a group's (unranked) outcomes; `members`: the registry's units of the
    group on the cut-off date. The size the source states wins over the registry's count."""
    listed = {outcome.unit.id for outcome in outcomes}
    computed = bool(outcomes) and all(outcome.has_scores for outcome in outcomes)
    stated = summary.unit_count if summary is not None else None
    units_in_group = stated
    if units_in_group is None and computed:
        units_in_group = len(members | listed)
    complete = bool(outcomes) and (
        (computed and members <= listed) or (stated is not None and len(listed) == stated)
    )
    indexed = all(outcome.index is not None for outcome in outcomes)
    return Coverage(
        units_with_result=len(listed),
        units_in_group=units_in_group,
        complete=complete,
        ranked=complete and indexed,
        leaf_scored=complete and computed,
        published=published_extent(outcomes, summary),
    )


def published_extent(
    outcomes: Sequence[UnitOutcome], summary: GroupSummarySnapshot | None
) -> PublishedExtent:
    """Which units the sources published figures for, and which kinds of figure."""
    published = [o.published for o in outcomes if o.published is not None]
    sources = {p.source for p in published} | ({summary.source} if summary else set())
    return PublishedExtent(
        scope=_scope(outcomes, summary),
        sources=tuple(sorted(sources)),
        units_with_rank=sum(1 for p in published if p.rank is not None),
        units_with_index=sum(1 for p in published if p.index is not None),
        units_with_position=sum(1 for p in published if p.position is not None),
        band_counts=bool(summary and summary.band_counts),
        unit_count=summary.unit_count if summary else None,
    )


def _scope(outcomes: Sequence[UnitOutcome], summary: GroupSummarySnapshot | None) -> PublishedScope:
    """none · all_units (size stated, all listed) · top_and_bottom · top · bottom (every
    published unit is placed from the top by rank or a top place, or at the bottom by a
    bottom place) · band_counts (the group's band counts) · selected_units (anything else)."""
    published = [o.published for o in outcomes if o.published is not None]
    if not published:
        return "band_counts" if summary and summary.band_counts else "none"
    if summary and summary.unit_count is not None and len(published) == summary.unit_count:
        return "all_units"
    ranks = sorted(p.rank for p in published if p.rank is not None)
    top = bool(ranks) and _ranks_from_the_top(ranks)
    bottom = False
    for p in published:
        code = position_code(p.position)
        if p.rank is None and is_top(code):
            top = True
        elif p.rank is None and is_bottom(code):
            bottom = True
        elif p.rank is None:
            return _scattered(summary)
    if not ranks or top:
        return "top_and_bottom" if top and bottom else "top" if top else "bottom"
    return _scattered(summary)


def _scattered(summary: GroupSummarySnapshot | None) -> PublishedScope:
    return "band_counts" if summary and summary.band_counts else "selected_units"


def _ranks_from_the_top(ranks: Sequence[int]) -> bool:
    """Whether sorted published ranks are the group's first places (1, 2, 2, 4 …): competition
    ranks with none left out."""
    return all(
        rank == (ranks[position - 1] if position and ranks[position - 1] == rank else position + 1)
        for position, rank in enumerate(ranks)
    )


def published_rank_ties(outcomes: Iterable[UnitOutcome]) -> Counter[int]:
    """How many units share each published rank."""
    return Counter(o.published.rank for o in outcomes if o.published and o.published.rank)
