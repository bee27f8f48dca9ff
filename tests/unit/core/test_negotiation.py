"""One reading of Accept and Accept-Language: q-values, ties, refusals, garbled entries."""

from app.core.negotiation import Preference, best_offer, parse_preferences

FORMATS = {"text/csv": "csv", "application/json": "json"}


class TestParsePreferences:
    def test_entries_keep_their_order_and_q_values(self) -> None:
        assert parse_preferences("en-US,en;q=0.9, vi;q=0.8") == [
            Preference("en-us", 1.0),
            Preference("en", 0.9),
            Preference("vi", 0.8),
        ]

    def test_entry_with_a_q_outside_0_to_1_or_not_a_number_is_dropped(self) -> None:
        assert parse_preferences("en;q=abc,vi;q=2,fr;q=-1,de;q=0.5") == [Preference("de", 0.5)]

    def test_missing_and_empty_headers_have_no_entries(self) -> None:
        assert parse_preferences(None) == []
        assert parse_preferences(" , ;q=1") == []


class TestBestOffer:
    def test_highest_q_wins_whatever_its_place(self) -> None:
        assert best_offer("application/json;q=0.4, text/csv;q=0.8", FORMATS) == "csv"

    def test_on_equal_q_the_earliest_entry_wins(self) -> None:
        assert best_offer("text/csv;q=0.5, application/json;q=0.5", FORMATS) == "csv"
        assert best_offer("application/json;q=0.5, text/csv;q=0.5", FORMATS) == "json"

    def test_q_zero_means_not_acceptable(self) -> None:
        assert best_offer("text/csv;q=0", FORMATS) is None

    def test_parameters_other_than_q_do_not_hide_a_media_type(self) -> None:
        assert best_offer("text/csv; charset=utf-8; q=0.7", FORMATS) == "csv"

    def test_wildcards_and_unknown_entries_choose_nothing(self) -> None:
        assert best_offer("*/*, text/html", FORMATS) is None

    def test_key_maps_entries_to_offer_names(self) -> None:
        languages = {"vi": "vi", "en": "en"}
        assert best_offer("en-GB,vi;q=0.3", languages, key=lambda tag: tag[:2]) == "en"
