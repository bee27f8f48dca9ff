"""Comparing a unit with the previous year: reorganisations by lineage component, reason codes."""

from collections.abc import Set
from datetime import date

import pytest

from app.core.messages import has_message
from app.models.enums import LineageKind
from app.schemas.vocabularies import ReasonCode, codes
from app.services.results.comparison import (
    PreviousFacts,
    Reorganisation,
    comparability,
    component_of,
    reorganisation,
    year_edges,
)
from app.services.results.lineage import LineageEdge, PreviousLink

DAY = date(2041, 3, 1)
MERGE, SPLIT, RENAME, TRANSFER = (
    LineageKind.MERGE,
    LineageKind.SPLIT,
    LineageKind.RENAME,
    LineageKind.TRANSFER,
)


def edge(predecessor: int, successor: int, kind: LineageKind, day: date = DAY) -> LineageEdge:
    return LineageEdge(predecessor, successor, kind, day)


def facts(
    *,
    links: list[PreviousLink] | None = None,
    with_result: Set[int] = frozenset(),
    year_exists: bool = True,
    change: Reorganisation | None = None,
    unit_is_new: bool = False,
    group_has_results: bool = True,
    group_complete: bool = True,
) -> PreviousFacts:
    return PreviousFacts(
        year_exists=year_exists,
        reorganisation=change,
        links=links or [PreviousLink(9, "self")],
        with_result=with_result,
        unit_is_new=unit_is_new,
        group_has_results=group_has_results,
        group_complete=group_complete,
    )


class TestReorganisationByComponent:
    # Districts 1 and 2 become communes 11, 12 and 13; commune 12 takes from both.
    DISTRICTS_TO_COMMUNES = (
        edge(1, 11, SPLIT),
        edge(1, 12, MERGE),
        edge(2, 12, MERGE),
        edge(2, 13, SPLIT),
    )

    @pytest.mark.parametrize("unit", [1, 2, 11, 12, 13])
    def test_several_predecessors_and_successors_are_many_to_many(self, unit: int) -> None:
        # On its own edges, commune 11 looks split off and commune 12 merged: the component
        # decides, for every unit in it.
        assert reorganisation(unit, self.DISTRICTS_TO_COMMUNES) == "many_to_many"

    def test_three_into_one_is_a_merger(self) -> None:
        edges = [edge(1, 9, MERGE), edge(2, 9, MERGE), edge(3, 9, MERGE)]
        assert reorganisation(9, edges) == "merged"

    def test_a_unit_continuing_through_a_merger_is_merged(self) -> None:
        # Home Affairs absorbs Labour and keeps its code: its scope changed too.
        assert reorganisation(9, [edge(4, 9, MERGE)]) == "merged"

    def test_one_into_two_is_a_split_for_both_sides(self) -> None:
        edges = [edge(1, 2, SPLIT), edge(1, 3, SPLIT)]
        assert {reorganisation(unit, edges) for unit in (1, 2, 3)} == {"split"}

    def test_a_transfer_changes_the_scope(self) -> None:
        assert reorganisation(2, [edge(1, 2, TRANSFER)]) == "transferred"

    def test_a_rename_alone_carries_the_unit_over(self) -> None:
        assert reorganisation(2, [edge(1, 2, RENAME)]) == "renamed"

    def test_a_unit_without_events_is_not_reorganised(self) -> None:
        assert reorganisation(7, self.DISTRICTS_TO_COMMUNES) is None

    def test_separate_reorganisations_do_not_mix(self) -> None:
        edges = [*self.DISTRICTS_TO_COMMUNES, edge(5, 6, RENAME)]
        assert component_of(6, edges) == [edge(5, 6, RENAME)]
        assert reorganisation(6, edges) == "renamed"

    def test_only_the_years_events_count(self) -> None:
        earlier = edge(1, 2, MERGE, date(2039, 6, 1))
        this_year = edge(3, 4, RENAME, DAY)
        assert year_edges(2041, [earlier, this_year], {}) == [this_year]


class TestComparability:
    def test_the_same_unit_with_its_own_result_is_comparable(self) -> None:
        verdict = comparability(facts(with_result={9}))
        assert (verdict.comparable, verdict.code) == (True, "same_unit")

    def test_a_rename_carries_history_over(self) -> None:
        links = [PreviousLink(9, "self"), PreviousLink(8, "rename", date(2022, 7, 1))]
        verdict = comparability(facts(links=links, with_result={8}, change="renamed"))
        assert (verdict.comparable, verdict.code) == (True, "renamed")

    @pytest.mark.parametrize("change", ["merged", "split", "transferred", "many_to_many"])
    def test_a_change_of_scope_is_never_comparable(self, change: Reorganisation) -> None:
        verdict = comparability(facts(with_result={9}, change=change))
        assert (verdict.comparable, verdict.code) == (False, change)

    def test_no_previous_year_comes_first(self) -> None:
        verdict = comparability(facts(year_exists=False, change="merged", with_result={9}))
        assert verdict.code == "no_assessment_year"
        assert verdict.reason(2040, "en") == "no assessment year 2040"
        assert verdict.reason(2040, "vi") == "không có năm đánh giá 2040"

    @pytest.mark.parametrize(
        ("new", "has_results", "complete", "code"),
        [
            (True, False, False, "new"),
            (False, False, False, "no_results_for_group_in_year"),
            (False, True, False, "not_published"),
            (False, True, True, "no_previous_result"),
        ],
    )
    def test_why_there_is_no_previous_result(
        self, new: bool, has_results: bool, complete: bool, code: str
    ) -> None:
        verdict = comparability(
            facts(unit_is_new=new, group_has_results=has_results, group_complete=complete)
        )
        assert (verdict.comparable, verdict.code) == (False, code)

    def test_several_results_are_none_of_them_the_units(self) -> None:
        links = [PreviousLink(9, "self"), PreviousLink(8, "rename", DAY)]
        verdict = comparability(facts(links=links, with_result={8, 9}, change="renamed"))
        assert (verdict.comparable, verdict.code) == (False, "several_previous_results")

    @pytest.mark.parametrize("code", codes(ReasonCode))
    def test_every_code_has_words_in_both_languages(self, code: ReasonCode) -> None:
        assert has_message(f"reason.{code}")

    def test_the_reason_names_the_year_in_the_language_asked(self) -> None:
        verdict = comparability(facts(group_has_results=False))
        assert verdict.reason(2023, "vi") == "nhóm của đơn vị này không có kết quả năm 2023"
        assert verdict.reason(2023, "en") == "no results for this unit's group in 2023"
