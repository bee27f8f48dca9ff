"""The score template of a (year, group): every property an official relies on, read back
with openpyxl, and who may download it."""

import io
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.imports.parsing.sheet_header import label_key
from app.services.imports.parsing.xlsx import IGNORED_SHEETS
from tests.builders import assert_problem, create_draft_year, create_group, create_unit
from tests.builders import put_small_tree as put_tree
from tests.conftest import api_key, http_client

YEAR = 2032
GROUP = "t-tpl"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEAVES = ["1.1", "1.2", "2.1", "3.1", "3.2"]
MAXIMA = ["1.5", "2.5", "6", "1", "2"]
FIRST_UNIT_ROW = 11  # five title rows, a blank, names, codes, maxima, methods
A_SCORES = [
    {"criterion": "1.1", "self_score": "1.5", "final_score": "1.25", "note": "có minh chứng"},
    {"criterion": "1.2", "self_score": "2", "final_score": "2.5"},
    {"criterion": "2.1", "self_score": "5", "final_score": "4.3275"},
    {"criterion": "3.1", "self_score": "1", "final_score": "0.5"},
    {"criterion": "3.2", "self_score": "0", "final_score": "0"},
]


@pytest.fixture
async def year(client: AsyncClient) -> int:
    """A draft year for a group of its own: two units of the year (A scored), one that closed
    during it and one opened after it."""
    await create_draft_year(client, YEAR)
    await create_group(client, GROUP)
    await put_tree(client, YEAR, group=GROUP)
    await create_unit(client, "T-TPL-A", group=GROUP, name_vi="Văn phòng Mẫu A")
    await create_unit(client, "T-TPL-B", group=GROUP, name_vi="Ban Mẫu B")
    await create_unit(
        client, "T-TPL-GONE", group=GROUP, name_vi="Ban Đã Nhập", valid_to=f"{YEAR}-06-30"
    )
    await create_unit(
        client, "T-TPL-NEW", group=GROUP, name_vi="Ban Mới", valid_from=f"{YEAR + 1}-01-01"
    )
    response = await client.put(
        f"/api/v1/years/{YEAR}/units/T-TPL-A/scores", json={"scores": A_SCORES}
    )
    assert response.status_code == 200, response.text
    return YEAR


async def download(client: AsyncClient, kind: str | None = None) -> Any:
    params = {"kind": kind} if kind else {}
    response = await client.get(f"/api/v1/years/{YEAR}/templates/{GROUP}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def column_values(sheet: Worksheet, row: int) -> list[Any]:
    return [cell.value for cell in sheet[row]]


class TestTemplateLayout:
    async def test_title_block_names_province_kind_group_year_and_criteria_version(
        self, client: AsyncClient, year: int
    ) -> None:
        book = await download(client, "self")
        sheet = book.worksheets[0]
        assert sheet.title == f"{GROUP} (tự chấm)"
        lines = [sheet.cell(row, 1).value for row in range(1, 6)]
        assert lines[0] == "UBND TỈNH LÂM ĐỒNG"
        assert lines[1] == f"BẢNG ĐIỂM TỰ ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {YEAR}"
        assert lines[2] == f"Nhóm đơn vị: Nhóm thử {GROUP} (mã {GROUP})"
        assert lines[3].startswith(
            f"Bộ tiêu chí năm {YEAR}: 5 tiêu chí thành phần, tổng điểm tối đa 10; phiên bản "
        )
        assert lines[4].startswith(f"Danh sách đơn vị tính đến ngày 31/12/{YEAR}")
        final = (await download(client)).worksheets[0]
        assert final.title == GROUP
        assert final["A2"].value.startswith("BẢNG ĐIỂM THẨM ĐỊNH")
        # The version is the criteria set's, the same in both templates.
        assert final["A4"].value == lines[3]

    async def test_names_over_codes_then_maxima_and_methods(
        self, client: AsyncClient, year: int
    ) -> None:
        sheet = (await download(client)).worksheets[0]
        names = ["Kế hoạch", "Báo cáo", "Hài lòng", "Điểm thưởng", "Điểm trừ"]
        assert column_values(sheet, 7) == ["Số TT", "Mã đơn vị", "Tên đơn vị", *names, "Ghi chú"]
        assert column_values(sheet, 8) == [None, None, None, *LEAVES, None]
        assert {str(r) for r in sheet.merged_cells.ranges} == {"A7:A8", "B7:B8", "C7:C8", "I7:I8"}
        assert [sheet.cell(8, c).data_type for c in range(4, 9)] == ["s"] * 5
        maxima = column_values(sheet, 9)
        assert maxima[:3] == [None, None, "Điểm tối đa"]
        assert [str(value) for value in maxima[3:8]] == ["1.5", "2.5", "6", "1", "2"]
        methods = ["Thẩm định", "Chỉ số đo", "Điều tra XHH", "Điểm thưởng", "Điểm trừ"]
        assert column_values(sheet, 10) == [None, None, "Phương pháp chấm", *methods, None]
        # The import knows every label the template writes.
        instructions = book_sheet_titles(sheet)
        assert label_key(instructions[1]) in IGNORED_SHEETS

    async def test_units_of_the_year_as_of_its_date_with_current_scores(
        self, client: AsyncClient, year: int
    ) -> None:
        final = (await download(client, "final")).worksheets[0]
        rows = list(final.iter_rows(min_row=FIRST_UNIT_ROW, values_only=True))
        assert [row[:3] for row in rows] == [
            (1, "T-TPL-A", "Văn phòng Mẫu A"),
            (2, "T-TPL-B", "Ban Mẫu B"),
        ]
        assert [str(v) for v in rows[0][3:8]] == ["1.25", "2.5", "4.3275", "0.5", "0"]
        assert rows[1][3:9] == (None,) * 6
        self_sheet = (await download(client, "self")).worksheets[0]
        first = next(self_sheet.iter_rows(min_row=FIRST_UNIT_ROW, values_only=True))
        assert [str(v) for v in first[3:8]] == ["1.5", "2", "5", "1", "0"]

    async def test_score_cells_have_two_decimal_formats_and_validation_to_each_maximum(
        self, client: AsyncClient, year: int
    ) -> None:
        sheet = (await download(client)).worksheets[0]
        last = FIRST_UNIT_ROW + 1
        formats = {sheet.cell(row, c).number_format for row in (11, 12) for c in range(4, 9)}
        # 4.3275 is shown whole rather than rounded to 4.33.
        assert formats == {"0.00", "0.00##"}
        assert sheet["F11"].number_format == "0.00##"
        assert sheet["D9"].number_format == "0.00"
        rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
        columns = "DEFGH"
        assert set(rules) == {f"{c}{FIRST_UNIT_ROW}:{c}{last}" for c in columns}
        for column, maximum in zip(columns, MAXIMA, strict=True):
            rule = rules[f"{column}{FIRST_UNIT_ROW}:{column}{last}"]
            top = f"{column}{FIRST_UNIT_ROW}"
            assert rule.type == "custom"
            assert rule.formula1 == (
                f"AND(ISNUMBER({top}),{top}>=0,{top}<={maximum},ROUND({top},2)={top})"
            )
            assert rule.allow_blank
            assert rule.showErrorMessage
            assert rule.errorStyle == "stop"
            assert f"từ 0 đến {maximum}" in rule.error

    async def test_frozen_header_and_unit_columns_and_only_scores_and_notes_unlocked(
        self, client: AsyncClient, year: int
    ) -> None:
        book = await download(client)
        sheet = book.worksheets[0]
        assert sheet.freeze_panes == f"D{FIRST_UNIT_ROW}"
        assert sheet.protection.sheet is True
        assert not sheet.protection.password
        assert book.security.lockStructure is True
        assert not book.security.workbookPassword
        unlocked = {
            cell.coordinate
            for row in sheet.iter_rows(min_row=1, max_row=FIRST_UNIT_ROW + 1, max_col=9)
            for cell in row
            if not cell.protection.locked
        }
        assert unlocked == {f"{c}{r}" for c in "DEFGHI" for r in (FIRST_UNIT_ROW, 12)}

    async def test_instructions_in_vietnamese_and_english(
        self, client: AsyncClient, year: int
    ) -> None:
        book = await download(client, "self")
        sheet = book["Hướng dẫn"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("Hướng dẫn điền bảng điểm", "How to fill in the score sheet")
        assert all(vi and en and vi != en for vi, en in rows)
        assert "giữ nguyên" in rows[1][0]
        assert "keeps the appraised scores" in rows[1][1]
        assert any(f"--year {YEAR} --dry-run" in en for _vi, en in rows)
        assert sheet.protection.sheet is True


def book_sheet_titles(sheet: Worksheet) -> list[str]:
    return [each.title for each in sheet.parent.worksheets]


class TestTemplateAccess:
    @pytest.mark.parametrize("role", ["reader", None])
    async def test_readers_and_anonymous_callers_are_refused(
        self, app: FastAPI, session: AsyncSession, year: int, role: str | None
    ) -> None:
        key = await api_key(session, role) if role else None  # type: ignore[arg-type]
        async with http_client(app, key) as http:
            response = await http.get(f"/api/v1/years/{YEAR}/templates/{GROUP}")
        assert_problem(response, 403 if role else 401)

    async def test_an_editor_gets_it(self, app: FastAPI, session: AsyncSession, year: int) -> None:
        async with http_client(app, await api_key(session, "editor")) as http:
            response = await http.get(f"/api/v1/years/{YEAR}/templates/{GROUP}?kind=self")
        assert response.status_code == 200, response.text
        assert (
            response.headers["content-disposition"]
            == f'attachment; filename="template_{YEAR}_{GROUP}_self.xlsx"'
        )

    @pytest.mark.parametrize(
        ("path", "title"),
        [
            (f"/api/v1/years/2098/templates/{GROUP}", "Assessment year not found"),
            (f"/api/v1/years/{YEAR}/templates/no-such-group", "Unit group not found"),
            (f"/api/v1/years/{YEAR}/templates/department", "Criteria set not found"),
        ],
    )
    async def test_unknown_year_group_or_criteria_set_is_a_404_problem(
        self, client: AsyncClient, year: int, path: str, title: str
    ) -> None:
        response = await client.get(path, headers={"Accept-Language": "en"})
        assert assert_problem(response, 404)["title"] == title

    async def test_an_unknown_kind_is_refused(self, client: AsyncClient, year: int) -> None:
        response = await client.get(f"/api/v1/years/{YEAR}/templates/{GROUP}?kind=both")
        assert_problem(response, 422)
