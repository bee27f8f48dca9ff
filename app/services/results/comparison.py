"""Whether a unit's result compares with the previous year's, and why not (pure rules).

Every verdict carries a stable machine code beside its words. A reorganisation is judged by the
connected component of the year's lineage graph the unit belongs to, not by the unit's own
incoming events: a component with more than one predecessor and more than one successor is a
many-to-many reorganisation, even where each unit on its own looks like a plain merge or split.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from datetime import date
from functools import lru_cache
from typing import Literal, NamedTuple

from app.core.i18n import Language
from app.core.messages import say
from app.models.enums import LineageKind
from app.schemas.vocabularies import ReasonCode
from app.services.results.lineage import LineageEdge, PreviousLink, changes_between_years

Reorganisation = Literal["renamed", "merged", "split", "transferred", "many_to_many"]

# {year} is the previous year, the one looked at.
_SCOPE_CHANGES: dict[LineageKind, Reorganisation] = {
    LineageKind.MERGE: "merged",
    LineageKind.SPLIT: "split",
    LineageKind.TRANSFER: "transferred",
}


def year_edges(
    year: int, edges: Sequence[LineageEdge], cut_offs: Mapping[int, date]
) -> list[LineageEdge]:
    """The lineage events that change the comparison of `year` with the year before.

    The window is lineage.changes_between_years', asked per successor, so the rule of which
    events belong to which year lives in one place.
    """
    successors = sorted({edge.successor_id for edge in edges})
    return [
        edge for unit in successors for edge in changes_between_years(unit, year, edges, cut_offs)
    ]


def component_of(unit_id: int, edges: Sequence[LineageEdge]) -> list[LineageEdge]:
    """The events connected to the unit, following them either way (its reorganisation)."""
    touching: dict[int, list[LineageEdge]] = defaultdict(list)
    for edge in edges:
        touching[edge.predecessor_id].append(edge)
        touching[edge.successor_id].append(edge)
    seen, frontier = {unit_id}, [unit_id]
    found: set[LineageEdge] = set()
    while frontier:
        for edge in touching[frontier.pop()]:
            found.add(edge)
            for other in (edge.predecessor_id, edge.successor_id):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    return sorted(found, key=lambda e: (e.effective_date, e.predecessor_id, e.successor_id))


def reorganisation(unit_id: int, edges_of_year: Sequence[LineageEdge]) -> Reorganisation | None:
    """What the year's events did to the unit, judged over its whole component.

    More than one predecessor and more than one successor: many-to-many. Otherwise a merge,
    split or transfer anywhere in the component changes the unit's scope (first of those, in
    that order); renames alone carry the unit over. No event: None.
    """
    return _judged(component_of(unit_id, edges_of_year))


def reorganisations(edges_of_year: Sequence[LineageEdge]) -> dict[int, Reorganisation]:
    """reorganisation() of every unit the year's events touch, each component judged once
    (a unit absent from the result has none): a ranking asks it for every unit it lists."""
    judged: dict[int, Reorganisation] = {}
    for edge in edges_of_year:
        if edge.successor_id in judged:
            continue
        component = component_of(edge.successor_id, edges_of_year)
        verdict = _judged(component)
        assert verdict is not None  # the component holds this edge at least
        for member in component:
            judged[member.predecessor_id] = judged[member.successor_id] = verdict
    return judged


def _judged(component: Sequence[LineageEdge]) -> Reorganisation | None:
    if not component:
        return None
    predecessors = {edge.predecessor_id for edge in component}
    successors = {edge.successor_id for edge in component}
    if len(predecessors) > 1 and len(successors) > 1:
        return "many_to_many"
    kinds = {edge.kind for edge in component}
    for kind, change in _SCOPE_CHANGES.items():
        if kind in kinds:
            return change
    return "renamed"


class PreviousFacts(NamedTuple):
    """What is known of the previous year for one unit; the verdict is drawn from these alone."""

    year_exists: bool
    reorganisation: Reorganisation | None
    links: Sequence[PreviousLink]
    with_result: Set[int]  # linked units with a previous-year result
    unit_is_new: bool  # the unit did not exist on the previous year's cut-off date
    group_has_results: bool  # a linked unit's group had any result that year
    group_complete: bool  # every such group's results were complete


class Verdict(NamedTuple):
    comparable: bool
    code: ReasonCode

    def reason(self, previous_year: int, language: Language) -> str:
        """The reason in words: the catalogue's `reason.<code>`."""
        return _reason(self.code, previous_year, language)


@lru_cache(maxsize=1024)
def _reason(code: ReasonCode, previous_year: int, language: Language) -> str:
    # A ranking words a reason for each of its units; there are a dozen codes per year.
    return say(language, f"reason.{code}", year=previous_year)


def comparability(facts: PreviousFacts) -> Verdict:
    """Whether a rank change can be stated, and the code of the reason.

    In order: no previous assessment year; a change of scope (merge, split, transfer,
    many-to-many) in the unit's component, whose every previous result is shown but never
    aggregated; no previous result at all (a new unit, a group without results that year, a
    group only partly published, or simply none); several results; else comparable, as the
    same unit or through a rename.
    """
    if not facts.year_exists:
        return Verdict(False, "no_assessment_year")
    if facts.reorganisation not in (None, "renamed"):
        assert facts.reorganisation is not None
        return Verdict(False, facts.reorganisation)
    found = [link for link in facts.links if link.unit_id in facts.with_result]
    if not found:
        return Verdict(False, _why_no_result(facts))
    if len(found) > 1:
        return Verdict(False, "several_previous_results")
    return Verdict(True, "renamed" if found[0].relation == "rename" else "same_unit")


def _why_no_result(facts: PreviousFacts) -> ReasonCode:
    only_itself = all(link.relation == "self" for link in facts.links)
    if facts.unit_is_new and only_itself:
        return "new"
    if not facts.group_has_results:
        return "no_results_for_group_in_year"
    if not facts.group_complete:
        return "not_published"
    return "no_previous_result"
