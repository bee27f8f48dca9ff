"""Pure ranking, rounding, lineage and improvement rules."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.core.i18n import preferred_language
from app.models.enums import LineageKind
from app.services.results.improvement import LeafGap, improvement_order, lowest_units
from app.services.results.lineage import LineageEdge, previous_links
from app.services.results.ranking_rules import rank_with_ties
from app.services.results.scoring import BandRule, band_for, index_of, round_index
from tests.unit.services.results.outcomes import outcome

D = Decimal


class TestRankWithTies:
    def test_equal_scores_share_rank_and_next_rank_skips(self) -> None:
        ranked = rank_with_ties(
            [("a", D("90")), ("b", D("87.21")), ("c", D("87.21")), ("d", D("80"))]
        )
        assert [(r.key, r.rank, r.tie_size) for r in ranked] == [
            ("a", 1, 1),
            ("b", 2, 2),
            ("c", 2, 2),
            ("d", 4, 1),
        ]

    def test_trailing_zeros_do_not_break_a_tie(self) -> None:
        ranked = rank_with_ties([("x", D("87.2100")), ("y", D("87.21"))])
        assert {r.rank for r in ranked} == {1}

    def test_within_a_tie_units_are_listed_by_code(self) -> None:
        ranked = rank_with_ties([(2, D("5")), (1, D("5"))], sort_key={1: "B", 2: "A"})
        assert [r.key for r in ranked] == [2, 1]

    @given(
        st.lists(
            st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
            min_size=1,
            max_size=30,
        ),
        st.randoms(use_true_random=False),
    )
    def test_ranks_do_not_depend_on_input_order(self, values: list[Decimal], rnd: object) -> None:
        entries = [(f"U{i:03}", value) for i, value in enumerate(values)]
        shuffled = entries[:]
        rnd.shuffle(shuffled)  # type: ignore[attr-defined]
        assert rank_with_ties(entries) == rank_with_ties(shuffled)

    @given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=30))
    def test_rank_is_one_plus_the_number_of_strictly_better(self, values: list[Decimal]) -> None:
        for ranked in rank_with_ties([(i, v) for i, v in enumerate(values)]):
            assert ranked.rank == 1 + sum(1 for v in values if v > ranked.value)
            assert ranked.tie_size == values.count(ranked.value)


class TestRounding:
    def test_half_rounds_up(self) -> None:
        assert round_index(D("87.205")) == D("87.21")
        assert round_index(D("87.2049999")) == D("87.20")

    def test_index_is_total_over_max_times_hundred(self) -> None:
        assert index_of(D("86.29"), D("100")) == D("86.29")
        assert index_of(D("1"), D("3")) == D("33.33")
        assert index_of(D("2"), D("3")) == D("66.67")

    def test_band_is_the_highest_reached(self) -> None:
        bands = [BandRule("Tốt", "Good", D("90")), BandRule("Khá", "Fair", D("80"))]
        assert band_for(D("90.00"), bands) == bands[0]
        assert band_for(D("89.99"), bands) == bands[1]
        assert band_for(D("50"), bands) is None


class TestImprovementRules:
    def test_order_is_points_lost_then_attainment_then_code(self) -> None:
        gaps = [
            LeafGap("3.10", D("1"), D("50")),
            LeafGap("3.9", D("1"), D("50")),
            LeafGap("1.1", D("1"), D("40")),
            LeafGap("2.1", D("2"), D("90")),
        ]
        assert [g.code for g in improvement_order(gaps)] == ["2.1", "1.1", "3.9", "3.10"]

    def test_a_missing_attainment_sorts_after_every_number(self) -> None:
        gaps = [
            LeafGap("1.1", D("0"), None),
            LeafGap("1.2", D("0"), D("100")),
            LeafGap("1.3", D("0"), D("0")),
        ]
        assert [g.code for g in improvement_order(gaps)] == ["1.3", "1.2", "1.1"]

    def test_lowest_units_keep_ties_at_the_cutoff(self) -> None:
        outcomes = [
            outcome("A", "92.96"),
            outcome("B", "87.21"),
            outcome("C", "87.21"),
            outcome("D", "86.29"),
        ]
        assert [o.unit.code for o in lowest_units(outcomes, 2)] == ["D", "B", "C"]


class TestLineageRules:
    def test_events_since_the_previous_year_end_count(self) -> None:
        edges = [
            LineageEdge(1, 9, LineageKind.MERGE, date(2023, 1, 1)),
            LineageEdge(2, 9, LineageKind.MERGE, date(2023, 1, 1)),
            LineageEdge(3, 9, LineageKind.RENAME, date(2020, 5, 1)),
        ]
        links = previous_links(9, 2023, edges, {})
        assert [(link.unit_id, link.relation) for link in links] == [
            (9, "self"),
            (1, "merge"),
            (2, "merge"),
        ]


class TestLanguage:
    def test_highest_quality_supported_language_wins(self) -> None:
        assert preferred_language("en-US,en;q=0.9,vi;q=0.8") == "en"
        assert preferred_language("vi;q=0.9,en;q=0.5") == "vi"
        assert preferred_language("fr") == "vi"
        assert preferred_language(None) == "vi"
        assert preferred_language("en;q=abc") == "vi"
