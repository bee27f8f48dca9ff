"""Comparing a unit with the previous year: what changed, and the code of the reason."""

from collections.abc import Set
from datetime import date

import pytest

from app.services.results.comparison import (
    REASONS,
    PreviousFacts,
    Reorganisation,
    comparability,
    reorganisation,
)
from app.services.results.lineage import PreviousLink

DAY = date(2041, 3, 1)


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


class TestReorganisation:
    def test_the_units_own_events_tell_what_changed(self) -> None:
        self_link = PreviousLink(9, "self")
        assert reorganisation([self_link]) is None
        assert reorganisation([self_link, PreviousLink(8, "rename", DAY)]) == "renamed"
        assert reorganisation([self_link, PreviousLink(8, "merge", DAY)]) == "merged"
        assert reorganisation([self_link, PreviousLink(8, "split", DAY)]) == "split"
        assert reorganisation([self_link, PreviousLink(8, "transfer", DAY)]) == "transferred"


class TestComparability:
    def test_the_same_unit_with_its_own_result_is_comparable(self) -> None:
        verdict = comparability(facts(with_result={9}))
        assert (verdict.comparable, verdict.code) == (True, "same_unit")

    def test_a_rename_carries_history_over(self) -> None:
        links = [PreviousLink(9, "self"), PreviousLink(8, "rename", date(2022, 7, 1))]
        verdict = comparability(facts(links=links, with_result={8}, change="renamed"))
        assert (verdict.comparable, verdict.code) == (True, "renamed")

    @pytest.mark.parametrize("change", ["merged", "split", "transferred"])
    def test_a_change_of_scope_is_never_comparable(self, change: Reorganisation) -> None:
        verdict = comparability(facts(with_result={9}, change=change))
        assert (verdict.comparable, verdict.code) == (False, change)

    def test_no_previous_year_comes_first(self) -> None:
        verdict = comparability(facts(year_exists=False, change="merged", with_result={9}))
        assert verdict.code == "no_assessment_year"
        assert verdict.reason(2040) == "no assessment year 2040"

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

    def test_every_code_has_words_naming_the_year_where_it_matters(self) -> None:
        for code, text in REASONS.items():
            assert text, code
        assert "2023" in comparability(facts(group_has_results=False)).reason(2023)
