"""Whether a unit's result compares with the previous year's, and why not (pure rules).

Every verdict carries a stable machine code beside its words.
"""

from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Literal

from app.services.results.lineage import PreviousLink

Reorganisation = Literal["renamed", "merged", "split", "transferred"]
ReasonCode = Literal[
    "same_unit",
    "renamed",
    "new",
    "merged",
    "split",
    "transferred",
    "no_assessment_year",
    "no_results_for_group_in_year",
    "not_published",
    "no_previous_result",
    "several_previous_results",
]

# {year} is the previous year, the one looked at.
REASONS: dict[ReasonCode, str] = {
    "same_unit": "the same unit in both years",
    "renamed": "renamed since {year}: its {year} result is its own",
    "new": "a new unit: it did not exist at the end of {year}",
    "merged": "merged with other units: each one's {year} result is shown, not aggregated",
    "split": "split: the unit's scope changed; each {year} result is shown, not divided",
    "transferred": "work was transferred to or from the unit: its scope changed",
    "no_assessment_year": "no assessment year {year}",
    "no_results_for_group_in_year": "no results for this unit's group in {year}",
    "not_published": "its {year} result was not published: only part of its group's results were",
    "no_previous_result": "no {year} result for this unit or a recorded predecessor",
    "several_previous_results": "several {year} results; none is this unit's alone",
}
_SCOPE_CHANGES: dict[str, Reorganisation] = {
    "merge": "merged",
    "split": "split",
    "transfer": "transferred",
}


def reorganisation(links: Sequence[PreviousLink]) -> Reorganisation | None:
    """What the recorded events did to the unit, from its own links: a merge, split or
    transfer changes its scope (first of those, in that order); renames alone carry it over."""
    relations = {link.relation for link in links}
    for relation, change in _SCOPE_CHANGES.items():
        if relation in relations:
            return change
    return "renamed" if "rename" in relations else None


@dataclass(frozen=True)
class PreviousFacts:
    """What is known of the previous year for one unit; the verdict is drawn from these alone."""

    year_exists: bool
    reorganisation: Reorganisation | None
    links: Sequence[PreviousLink]
    with_result: Set[int]  # linked units with a previous-year result
    unit_is_new: bool  # the unit did not exist on the previous year's cut-off date
    group_has_results: bool  # a linked unit's group had any result that year
    group_complete: bool  # every such group's results were complete


@dataclass(frozen=True)
class Verdict:
    comparable: bool
    code: ReasonCode

    def reason(self, previous_year: int) -> str:
        return REASONS[self.code].format(year=previous_year)


def comparability(facts: PreviousFacts) -> Verdict:
    """Whether a rank change can be stated, and the code of the reason.

    In order: no previous assessment year; a change of scope (merge, split, transfer), whose
    every previous result is shown but never aggregated; no previous result at all (a new unit,
    a group without results that year, a group only partly published, or simply none); several
    results; else comparable, as the same unit or through a rename.
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
