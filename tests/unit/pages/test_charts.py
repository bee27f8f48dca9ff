"""Chart geometry and number writing of the pages (pure)."""

from datetime import date
from decimal import Decimal

import pytest

from app.pages import charts
from app.pages.text import Texts


class TestBars:
    def test_share_is_a_percentage_of_the_scale_kept_within_0_and_100(self) -> None:
        assert charts.share_pct(Decimal("87.21"), Decimal(100)) == Decimal("87.21")
        assert charts.share_pct(Decimal("1.5"), Decimal("2")) == Decimal("75.00")
        assert charts.share_pct(Decimal("-0.5"), Decimal("2")) == Decimal("0.00")
        assert charts.share_pct(Decimal("3"), Decimal("2")) == Decimal("100")

    def test_no_bar_without_a_value_or_a_scale(self) -> None:
        assert charts.share_pct(None, Decimal(100)) is None
        assert charts.share_pct(Decimal(1), Decimal(0)) is None

    def test_bands_by_english_label(self) -> None:
        assert charts.band_class("Good") == "band-good"
        assert charts.band_class("Average ") == "band-average"
        assert charts.band_class("Excellent") == "band-other"
        assert charts.band_class(None) == "band-none"


class TestRankLabels:
    def test_shared_rank_is_marked_and_a_missing_rank_stays_empty(self) -> None:
        assert charts.rank_label(4, tied=True) == "=4"
        assert charts.rank_label(1, tied=False) == "1"
        assert charts.rank_label(None, tied=True) == ""

    @pytest.mark.parametrize(("change", "arrow", "steps"), [(2, "▲", 2), (-3, "▼", 3), (0, "=", 0)])
    def test_rank_change_arrows(self, change: int, arrow: str, steps: int) -> None:
        shown = charts.rank_change(change)
        assert shown is not None
        assert (shown.arrow, shown.steps) == (arrow, steps)

    def test_no_arrow_where_no_change_is_stated(self) -> None:
        assert charts.rank_change(None) is None


class TestLineChart:
    def chart(self, events: list[tuple[date, str]]) -> charts.LineChart:
        series = [
            charts.Series("A", {2021: Decimal("90.74"), 2022: Decimal("89.80")}),
            charts.Series("B", {2023: Decimal("89.73")}),
            charts.Series("no index", {}),
        ]
        chart = charts.line_chart(series, [2021, 2022, 2023], events, number=str)
        assert chart is not None
        return chart

    def test_one_line_per_unit_with_values_only(self) -> None:
        chart = self.chart([])
        assert [line.label for line in chart.lines] == ["A", "B"]
        first, second = chart.lines[0].points
        assert first.x < second.x
        assert first.y < second.y
        assert chart.lines[0].path.startswith("M")
        assert " L" in chart.lines[0].path
        assert [tick.label for tick in chart.x_ticks] == ["2021", "2022", "2023"]

    def test_an_event_stands_at_its_date_between_the_years(self) -> None:
        chart = self.chart(
            [(date(2023, 1, 1), "merger"), (date(2020, 5, 1), "before"), (date(2024, 2, 1), "x")]
        )
        x = {tick.label: tick.position for tick in chart.x_ticks}
        assert [marker.label for marker in chart.markers] == ["merger"]
        assert x["2022"] < chart.markers[0].x < x["2022"] + (x["2023"] - x["2022"]) * 0.01

    def test_an_event_late_in_a_year_falls_just_before_that_years_point(self) -> None:
        chart = self.chart([(date(2022, 12, 1), "rename")])
        x = {tick.label: tick.position for tick in chart.x_ticks}
        assert x["2021"] < chart.markers[0].x < x["2022"]
        assert x["2022"] - chart.markers[0].x < (x["2022"] - x["2021"]) * 0.1

    def test_value_axis_in_whole_tens_around_the_values(self) -> None:
        chart = self.chart([])
        assert [tick.label for tick in chart.y_ticks] == ["80", "90", "100"]

    def test_nothing_to_draw(self) -> None:
        assert charts.line_chart([charts.Series("A", {})], [2024], number=str) is None


class TestTexts:
    def test_numbers_in_each_language(self) -> None:
        vi, en = Texts("vi"), Texts("en")
        assert vi.number(Decimal("9.5000")) == "9,5"
        assert en.number(Decimal("9.5000")) == "9.5"
        assert vi.index(Decimal("87.2")) == "87,20"
        assert en.number(Decimal("8.29895"), places=2) == "8.30"
        assert vi.number(None) == "–"

    def test_words_come_from_the_catalogue_in_the_language_asked(self) -> None:
        # Both languages of every word: tests/unit/core/test_messages.py.
        assert Texts("en")("up", n=2) == "up 2"
        assert Texts("vi")("up", n=2) == "tăng 2 hạng"
