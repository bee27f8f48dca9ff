"""Units named by their name in a group sheet: case and diacritics ignored, ambiguity refused."""

from datetime import date

from app.models import OrgUnit
from app.services.imports.unit_names import UnitNames, Unresolved

UNITS = [
    OrgUnit(code="D-HEALTH", name_vi="Sở Y tế", name_en="Department of Health", group_id=1),
    OrgUnit(code="D-HOME", name_vi="Sở Nội vụ", name_en="Department of Home Affairs", group_id=1),
    OrgUnit(code="C-A", name_vi="Xã Đạ Huoai", name_en="Da Huoai commune", group_id=2),
    OrgUnit(code="C-B", name_vi="Xã Đạ Huoai", name_en="Da Huoai commune (new)", group_id=3),
]
NAMES = UnitNames(UNITS, year=2024)


def test_a_name_in_any_case_without_diacritics_is_the_unit() -> None:
    assert NAMES.resolve("SỞ Y TẾ", group_id=1) == "D-HEALTH"
    assert NAMES.resolve("  so  noi vu ", group_id=None) == "D-HOME"
    assert NAMES.resolve("Department of health", group_id=1) == "D-HEALTH"


def english(resolved: str | Unresolved) -> str:
    assert isinstance(resolved, Unresolved), resolved
    return resolved.msg.render("en")


def test_a_name_two_units_share_is_ambiguous_unless_the_sheet_s_group_decides() -> None:
    assert NAMES.resolve("Xã Đạ Huoai", group_id=2) == "C-A"
    assert english(NAMES.resolve("xa da huoai", group_id=None)) == (
        "unit name 'xa da huoai' is ambiguous: Xã Đạ Huoai (C-A), Xã Đạ Huoai (C-B); "
        "give the unit_code"
    )


def test_an_unknown_name_lists_the_close_units_of_the_sheet_s_group() -> None:
    assert english(NAMES.resolve("Sở Y tê'", group_id=1)) == (
        "unknown unit name 'Sở Y tê''; close: Sở Y tế (D-HEALTH)"
    )
    assert english(NAMES.resolve("Ban Dân tộc", group_id=1)) == (
        "unknown unit name 'Ban Dân tộc' (no unit of that year has a close name)"
    )
    assert NAMES.resolve("Ban Dân tộc", group_id=1).msg.render("vi") == (  # type: ignore[union-attr]
        "không có đơn vị tên 'Ban Dân tộc' (không có đơn vị nào của năm đó có tên gần giống)"
    )


def test_units_not_active_in_the_year_are_not_named() -> None:
    gone = OrgUnit(
        code="OLD", name_vi="Sở cũ", name_en="Old", group_id=1, valid_to_date=date(2020, 1, 1)
    )
    assert isinstance(UnitNames([gone], year=2024).resolve("Sở cũ", group_id=1), Unresolved)
