"""Published places in words, read into codes; unknown wording gives no code."""

import pytest

from app.services.results.positions import position_code, position_wording


@pytest.mark.parametrize(
    ("wording", "code"),
    [
        ("lowest", "lowest"),
        ("The lowest", "lowest"),
        ("among the three lowest; tied with Health", "bottom_3"),
        ("among the 10 highest", "top_10"),
        ("first", "highest"),
        ("thấp nhất", "lowest"),
        ("xếp cuối cùng", "lowest"),
        ("nằm trong nhóm 3 đơn vị thấp nhất", "bottom_3"),
        ("trong 5 đơn vị cao nhất", "top_5"),
        ("top 3", "top_3"),
        ("bottom_4", "bottom_4"),
    ],
)
def test_known_wording_gives_its_code(wording: str, code: str) -> None:
    assert position_code(wording) == code


@pytest.mark.parametrize("wording", [None, "", "tied with Health", "improved a lot", "top 0"])
def test_unknown_wording_gives_no_code(wording: str | None) -> None:
    assert position_code(wording) is None


def test_each_code_has_wording_in_both_languages() -> None:
    def both(code: str) -> tuple[str, str]:
        wording = position_wording(code)
        return wording.render("vi"), wording.render("en")

    assert both("bottom_3") == ("trong nhóm 3 đơn vị thấp nhất", "among the 3 lowest")
    assert both("lowest") == ("thấp nhất", "the lowest")
    assert both("top_5") == ("trong nhóm 5 đơn vị cao nhất", "among the 5 highest")
    with pytest.raises(ValueError, match="unknown"):
        position_wording("middle")
