"""Folding text for search, and escaping user input inside LIKE patterns."""

import pytest

from app.core.text import escape_like, fold


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("Sở Y tế", "so y te"),
            ("Huyện Đạ Huoai", "huyen da huoai"),
            ("ĐẠ TẺH", "da teh"),
            ("Phường Phú Thủy", "phuong phu thuy"),
            ("Sở Nông nghiệp và Phát triển nông thôn", "so nong nghiep va phat trien nong thon"),
            ("Thành phố Đà Lạt", "thanh pho da lat"),
            ("Ban Quản lý dự án giao thông tỉnh", "ban quan ly du an giao thong tinh"),
        ],
    )
    def test_removes_case_and_vietnamese_marks(self, text: str, folded: str) -> None:
        assert fold(text) == folded

    def test_d_with_stroke_becomes_plain_d_in_both_cases(self) -> None:
        assert fold("Đđ") == "dd"

    def test_precomposed_and_decomposed_input_fold_alike(self) -> None:
        precomposed = "Thủy"
        decomposed = "Thu\u0309y"
        assert precomposed != decomposed
        assert fold(precomposed) == fold(decomposed) == "thuy"

    def test_whitespace_is_collapsed_and_trimmed(self) -> None:
        assert fold("  Sở \t Y\n tế  ") == "so y te"

    def test_ascii_codes_only_lose_case(self) -> None:
        assert fold("LD-DEP-HEALTH") == "ld-dep-health"

    def test_folding_is_idempotent(self) -> None:
        once = fold("Ủy ban Nhân dân Đức Trọng")
        assert fold(once) == once

    def test_empty_text_stays_empty(self) -> None:
        assert fold("") == ""
        assert fold("   ") == ""


class TestEscapeLike:
    def test_plain_text_is_unchanged(self) -> None:
        assert escape_like("so y te") == "so y te"

    def test_wildcards_become_literal(self) -> None:
        assert escape_like("50%_off") == "50\\%\\_off"

    def test_the_escape_character_itself_is_doubled_first(self) -> None:
        assert escape_like("a\\%") == "a\\\\\\%"

    def test_another_escape_character_can_be_chosen(self) -> None:
        assert escape_like("a!b%c_", escape="!") == "a!!b!%c!_"
