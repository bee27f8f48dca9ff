"""Each lineage event changes exactly one year-over-year comparison (lineage.py, pure)."""

from datetime import date

import pytest

from app.models.enums import LineageKind
from app.services.results.lineage import LineageEdge, changes_between_years, units_as_of

SPLIT_OFF = LineageEdge(1, 9, LineageKind.SPLIT, date(2024, 3, 1))


def comparisons_changed(edge: LineageEdge, cut_offs: dict[int, date]) -> list[int]:
    """The years Y whose comparison with Y − 1 the event changes."""
    return [year for year in range(2020, 2030) if changes_between_years(9, year, [edge], cut_offs)]


class TestWindowOfAComparison:
    def test_an_event_changes_the_first_year_that_reflects_it_and_no_other(self) -> None:
        assert comparisons_changed(SPLIT_OFF, {}) == [2024]

    @pytest.mark.parametrize(
        "effective_date",
        [date(2023, 12, 31), date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1)],
    )
    def test_year_ends_belong_to_the_year_they_end(self, effective_date: date) -> None:
        edge = LineageEdge(1, 9, LineageKind.MERGE, effective_date)
        assert comparisons_changed(edge, {}) == [effective_date.year]

    def test_a_stored_cut_off_moves_the_boundary(self) -> None:
        # 2024's results describe the units of 31 March 2025: a merger of 1 March 2025 is
        # already in them, and no longer in 2025 vs 2024.
        merger = LineageEdge(1, 9, LineageKind.MERGE, date(2025, 3, 1))
        cut_offs = {2024: date(2025, 3, 31)}
        assert comparisons_changed(merger, cut_offs) == [2024]
        assert comparisons_changed(
            LineageEdge(1, 9, LineageKind.MERGE, date(2025, 4, 1)), cut_offs
        ) == [2025]

    def test_only_the_units_own_incoming_events_count(self) -> None:
        assert changes_between_years(1, 2024, [SPLIT_OFF], {}) == []

    def test_a_year_without_a_stored_cut_off_ends_on_31_december(self) -> None:
        assert units_as_of(2031, {2024: date(2025, 3, 31)}) == date(2031, 12, 31)
