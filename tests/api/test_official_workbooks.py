"""Scores imported from workbooks as officials keep them: title rows, a two-row header, STT,
units by name, a row of maxima, and total/index/rank columns the sheet computes. The workbooks
go through LibreOffice Calc (tests/libreoffice.py) as officials' files do."""

import io
from typing import Any

import pytest
from httpx import AsyncClient, Response
from openpyxl import Workbook, load_workbook

from tests.builders import assert_problem, create_draft_year, create_group, create_unit
from tests.builders import put_small_tree as put_tree
from tests.libreoffice import resave

YEAR = 2031
GROUP = "t-wb"
SHEET = "Nhóm thử t-wb"  # the group's Vietnamese name, as officials title their sheets
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAME_A, NAME_B = "Văn phòng Thử Nghiệm A", "Ban Quản lý Thử Nghiệm B"
LEAVES = ["1.1", "1.2", "2.1", "3.1", "3.2"]
MAXIMA = [1.5, 2.5, 6, 1, 2]
FIRST_UNIT_ROW = 8


@pytest.fixture
async def year(client: AsyncClient) -> int:
    """A draft year with the small tree for a group of its own and its two units."""
    await create_draft_year(client, YEAR)
    await create_group(client, GROUP)
    await put_tree(client, YEAR, group=GROUP)
    await create_unit(client, "T-WB-A", group=GROUP, name_vi=NAME_A, name_en="Test office A")
    await create_unit(client, "T-WB-B", group=GROUP, name_vi=NAME_B, name_en="Test board B")
    return YEAR


def official_workbook(
    units: list[list[Any]], *, maxima: list[Any] = MAXIMA, ranks: list[int] | None = None
) -> bytes:
    """A title block, a names row over a codes row, a row of maxima, then a row per unit:
    STT, name, the five leaves, total (as typed), index and rank (as formulas), note."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["UBND TỈNH LÂM ĐỒNG"])
    sheet.append(["SỞ NỘI VỤ"])
    sheet.append([f"BẢNG TỔNG HỢP ĐIỂM CHỈ SỐ CCHC NĂM {YEAR}"])
    sheet.append([])
    names = ["Kế hoạch", "Báo cáo", "Hài lòng", "Điểm thưởng", "Điểm trừ"]
    sheet.append(
        ["STT", "Tên đơn vị", *names, "Tổng điểm", "Chỉ số CCHC (%)", "Xếp hạng", "Ghi chú"]
    )
    sheet.append([None, None, *LEAVES])
    for merged in ("A5:A6", "B5:B6", "H5:H6", "I5:I6", "J5:J6", "K5:K6"):
        sheet.merge_cells(merged)
    sheet.append([None, "Điểm tối đa", *maxima, 10, 100])
    last = FIRST_UNIT_ROW + len(units) - 1
    for offset, (name, scores, total) in enumerate(units):
        row = FIRST_UNIT_ROW + offset
        index = f"=ROUND(H{row}/H$7*100,2)"
        rank = ranks[offset] if ranks else f"=RANK(I{row},I${FIRST_UNIT_ROW}:I${last})"
        sheet.append([offset + 1, name, *scores, total, index, rank, "đã thẩm định"])
    sheet.append([])
    sheet.append([None, "Người lập biểu"])
    buffer = io.BytesIO()
    book.save(buffer)
    return resave(buffer.getvalue(), name="official.xlsx")


async def post(
    client: AsyncClient, content: bytes, params: dict[str, str] | None = None, **fields: Any
) -> Response:
    # Problems are asserted in English here; a summary in both languages.
    return await client.post(
        f"/api/v1/years/{YEAR}/imports",
        params=params,
        files={"file": ("official.xlsx", content, XLSX)},
        data={key: str(value).lower() for key, value in fields.items()},
        headers={"Accept-Language": "en"},
    )


def refused_workbook() -> bytes:
    """A wrong maximum (1.2), an unknown unit name (row 9) and a text score (row 10, 2.1)."""
    unknown = ["Văn phòng Thử Nghiệm C", [1, 2, 4, 0, 0], 7]
    text_score = [NAME_B, [1, 2, "khá", 0, 0], 3]
    return official_workbook([UNIT_A, unknown, text_score], maxima=[1.5, 3, 6, 1, 2])


async def finals(client: AsyncClient, unit: str) -> dict[str, str]:
    response = await client.get(f"/api/v1/years/{YEAR}/units/{unit}/scores")
    assert response.status_code == 200, response.text
    return {score["criterion"]: score["final_score"] for score in response.json()["scores"]}


# A: 9.75 (index 97.50, rank 1); B: 7.25 (72.50, rank 2). B's 1.2 is text with a decimal comma,
# its name is typed in lower case without diacritics.
UNIT_A = [NAME_A, [1.25, 2.5, 5.5, 0.5, 0], 9.75]
UNIT_B = ["ban quan ly thu nghiem b", [1, "2,5", 4.25, 0, 0.5], 7.25]


class TestOfficialWorkbook:
    async def test_saved_by_libreoffice_imports_with_the_expected_scores(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await post(client, official_workbook([UNIT_A, UNIT_B]))
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["outcome"] == "applied"
        assert report["counts"]["units"] == 2
        assert report["figure_mismatches"] == []
        assert report["summary_vi"] == (
            "Đã nhập tệp official.xlsx: 2 đơn vị; 10 thêm, 0 sửa, 0 xoá, 0 giữ."
        )
        assert report["summary_en"] == (
            "Imported official.xlsx: 2 unit(s); 10 added, 0 changed, 0 removed, 0 unchanged."
        )
        assert await finals(client, "T-WB-A") == {
            "1.1": "1.25",
            "1.2": "2.50",
            "2.1": "5.50",
            "3.1": "0.50",
            "3.2": "0.00",
        }
        assert await finals(client, "T-WB-B") == {
            "1.1": "1.00",
            "1.2": "2.50",
            "2.1": "4.25",
            "3.1": "0.00",
            "3.2": "0.50",
        }
        ranking = await client.get(f"/api/v1/years/{YEAR}/rankings/{GROUP}")
        assert [(e["unit"]["code"], e["index"], e["rank"]) for e in ranking.json()["entries"]] == [
            ("T-WB-A", "97.50", 1),
            ("T-WB-B", "72.50", 2),
        ]

    async def test_figures_the_sheet_got_wrong_are_reported_not_stored(
        self, client: AsyncClient, year: int
    ) -> None:
        wrong_total = [*UNIT_B[:2], 7.5]  # its index formula then gives 75
        response = await post(client, official_workbook([UNIT_A, wrong_total]), dry_run=True)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["outcome"] == "dry_run"
        assert report["summary_en"] == (
            "Dry run of official.xlsx: 2 unit(s); 10 added, 0 changed, 0 removed, 0 unchanged; "
            "nothing written. 2 total(s), index(es) or rank(s) in the file differ."
        )
        row = FIRST_UNIT_ROW + 1
        assert report["figure_mismatches"] == [
            {
                "sheet": SHEET,
                "row": row,
                "column": "total",
                "unit_code": "T-WB-B",
                "in_file": "7.5",
                "computed": "7.25",
            },
            {
                "sheet": SHEET,
                "row": row,
                "column": "index",
                "unit_code": "T-WB-B",
                "in_file": "75",
                "computed": "72.50",
            },
        ]

    async def test_a_wrong_rank_is_reported_only_where_the_file_ranks_the_whole_group(
        self, client: AsyncClient, year: int
    ) -> None:
        content = official_workbook([UNIT_A, UNIT_B], ranks=[2, 1])
        response = await post(client, content, dry_run=True)
        assert response.status_code == 200, response.text
        found = [
            (m["row"], m["column"], m["in_file"], m["computed"])
            for m in response.json()["figure_mismatches"]
        ]
        assert found == [(FIRST_UNIT_ROW, "rank", "2", "1"), (FIRST_UNIT_ROW + 1, "rank", "1", "2")]
        # A third unit the file leaves out: the service would rank it too, so ranks are not
        # compared (totals and indices still are, and agree).
        await create_unit(client, "T-WB-C", group=GROUP, name_vi="Chi cục Thử Nghiệm C")
        response = await post(client, content, dry_run=True)
        assert response.status_code == 200, response.text
        assert response.json()["figure_mismatches"] == []

    async def test_wrong_maximum_unknown_name_and_text_score_are_three_located_problems(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await post(client, refused_workbook())
        body = assert_problem(response, 422)
        assert [(e["loc"], e["msg"]) for e in body["errors"]] == [
            (
                [SHEET, 7, "1.2"],
                "the sheet gives '1.2' a maximum of 3; its maximum in the year's criteria set "
                "is 2.5",
            ),
            (
                [SHEET, 9, "unit_name"],
                "unknown unit name 'Văn phòng Thử Nghiệm C'; close: "
                f"{NAME_A} (T-WB-A), {NAME_B} (T-WB-B)",
            ),
            ([SHEET, 10, "2.1"], "'khá' is not a number"),
        ]
        assert body["summary_en"] == (
            "official.xlsx was not imported: 3 problem(s), nothing written. First (sheet "
            f"{SHEET}, row 7, column 1.2): the sheet gives '1.2' a maximum of 3; its maximum in "
            "the year's criteria set is 2.5."
        )
        assert body["summary_vi"].startswith(
            f"Không nhập tệp official.xlsx: 3 lỗi, chưa ghi gì. Lỗi đầu tiên (trang tính {SHEET}, "
            "dòng 7, cột 1.2): "
        )
        assert await finals(client, "T-WB-A") == {}


class TestAnnotatedRefusal:
    async def test_format_xlsx_returns_the_workbook_with_each_problem_cell_marked(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await post(client, refused_workbook(), params={"format": "xlsx"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == XLSX
        assert "official-problems.xlsx" in response.headers["content-disposition"]
        book = load_workbook(io.BytesIO(response.content))
        sheet = book[SHEET]
        assert book.active.title == SHEET
        # Each comment says it in Vietnamese, then English.
        assert sheet["E10"].comment.text == "'khá' không phải là số\n'khá' is not a number"
        marked = {
            cell.coordinate: cell.comment.text.splitlines()[1]
            for row in sheet.iter_rows()
            for cell in row
            if cell.comment is not None
        }
        assert marked == {
            "D7": "the sheet gives '1.2' a maximum of 3; its maximum in the year's criteria set "
            "is 2.5",
            "B9": "unknown unit name 'Văn phòng Thử Nghiệm C'; close: "
            f"{NAME_A} (T-WB-A), {NAME_B} (T-WB-B)",
            "E10": "'khá' is not a number",
        }
        assert {sheet[address].fill.fgColor.rgb for address in marked} == {"00FFC7CE"}
        listed = list(book["Lỗi nhập - Problems"].iter_rows(min_row=5, values_only=True))
        assert [(row[0], row[1], row[2], row[4]) for row in listed] == [
            (SHEET, 7, "1.2", "D7"),
            (SHEET, 9, "unit_name", "B9"),
            (SHEET, 10, "2.1", "E10"),
        ]
        assert sheet["C8"].value == 1.25  # the file is otherwise as it came

    async def test_a_csv_file_is_refused_with_problem_json_whatever_the_format(
        self, client: AsyncClient, year: int
    ) -> None:
        response = await client.post(
            f"/api/v1/years/{YEAR}/imports",
            params={"format": "xlsx"},
            files={"file": ("s.csv", b"unit_code,criterion_code,self_score,final_score\n", "")},
        )
        assert_problem(response, 422)
