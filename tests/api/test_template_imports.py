"""Templates filled in and imported back: through LibreOffice Calc as officials' files come,
with title rows added and units by name; and a template of one kind of score never wipes the
other kind (nor the notes) already stored."""

import io
from typing import Any

from httpx import AsyncClient, Response
from openpyxl import load_workbook

from tests.api.test_templates import FIRST_UNIT_ROW, GROUP, YEAR, year
from tests.builders import assert_problem
from tests.libreoffice import resave

__all__ = ["year"]  # the fixture, shared with the layout tests

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Filled in for units A and B, leaves 1.1 … 3.2 (B's 1.2 typed as text with a decimal comma).
FILLED = {"T-TPL-A": [1.5, 2.25, 5.75, 1, 0.5], "T-TPL-B": [1, "2,5", 4.5, 0, 0]}
EXPECTED = {
    "T-TPL-A": ["1.50", "2.25", "5.75", "1.00", "0.50"],
    "T-TPL-B": ["1.00", "2.50", "4.50", "0.00", "0.00"],
}
LEAVES = ["1.1", "1.2", "2.1", "3.1", "3.2"]


async def template(client: AsyncClient, kind: str) -> Any:
    response = await client.get(f"/api/v1/years/{YEAR}/templates/{GROUP}?kind={kind}")
    assert response.status_code == 200, response.text
    return load_workbook(io.BytesIO(response.content))


def fill(book: Any, *, by_name: bool = False, title_rows: int = 0) -> bytes:
    """Scores typed into the unit rows (the codes cleared where units go by name), then
    `title_rows` more title lines put above everything."""
    sheet = book.worksheets[0]
    for row in range(FIRST_UNIT_ROW, FIRST_UNIT_ROW + len(FILLED)):
        code = sheet.cell(row, 2).value
        for column, value in enumerate(FILLED[code], start=4):
            sheet.cell(row, column, value)
        sheet.cell(row, 9, "đã rà soát")
        if by_name:
            sheet.cell(row, 2).value = None
    if by_name:  # one name as an official might type it: lower case, no diacritics
        sheet.cell(FIRST_UNIT_ROW, 3).value = "van phong mau a"
    if title_rows:
        # openpyxl moves no merged range with the rows: drop them first, as they only show.
        for merged in list(sheet.merged_cells.ranges):
            sheet.unmerge_cells(str(merged))
        sheet.insert_rows(1, title_rows)
        sheet["A1"] = "SỞ NỘI VỤ"
        sheet["A2"] = "Kèm theo Công văn số 123/SNV-CCHC"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def post(client: AsyncClient, content: bytes, **fields: Any) -> Response:
    return await client.post(
        f"/api/v1/years/{YEAR}/imports",
        files={"file": ("template.xlsx", content, XLSX)},
        data={key: str(value).lower() for key, value in fields.items()},
        headers={"Accept-Language": "en"},
    )


async def stored(client: AsyncClient, unit: str) -> list[tuple[str, str | None, str | None]]:
    response = await client.get(f"/api/v1/years/{YEAR}/units/{unit}/scores")
    assert response.status_code == 200, response.text
    return [
        (s["criterion"], s["self_score"], s["final_score"], s["note"])
        for s in response.json()["scores"]
    ]


# Unit A's scores as the fixture stored them: (leaf, self, final, note).
STORED_A = [
    ("1.1", "1.50", "1.25", "có minh chứng"),
    ("1.2", "2.00", "2.50", None),
    ("2.1", "5.00", "4.3275", None),
    ("3.1", "1.00", "0.50", None),
    ("3.2", "0.00", "0.00", None),
]


class TestTemplateRoundTrip:
    async def test_final_template_saved_by_libreoffice_sets_finals_and_keeps_self_scores(
        self, client: AsyncClient, year: int
    ) -> None:
        content = resave(fill(await template(client, "final")), name="template.xlsx")
        response = await post(client, content)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["outcome"] == "applied"
        assert report["counts"]["units"] == 2
        assert report["counts"]["added"] == 5
        assert report["counts"]["changed"] == 5
        selves = [(code, own, note) for code, own, _final, note in STORED_A]
        assert await stored(client, "T-TPL-A") == [
            (code, own, final, note)
            for (code, own, note), final in zip(selves, EXPECTED["T-TPL-A"], strict=True)
        ]
        assert await stored(client, "T-TPL-B") == [
            (code, None, final, None)
            for code, final in zip(LEAVES, EXPECTED["T-TPL-B"], strict=True)
        ]

    async def test_self_template_saved_by_libreoffice_sets_self_scores_and_keeps_finals(
        self, client: AsyncClient, year: int
    ) -> None:
        content = resave(fill(await template(client, "self")), name="template.xlsx")
        # What LibreOffice keeps of the template: validation, sheet protection, unlocked cells
        # (it drops frozen panes and the workbook's structure lock, which only ease filling).
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        assert sheet.title == f"{GROUP} (tự chấm)"
        rules = {str(rule.sqref): rule.type for rule in sheet.data_validations.dataValidation}
        assert rules[f"D{FIRST_UNIT_ROW}:D{FIRST_UNIT_ROW + 1}"] == "custom"
        assert len(rules) == len(LEAVES)
        assert sheet.protection.sheet
        assert not sheet.cell(FIRST_UNIT_ROW, 4).protection.locked
        assert sheet.cell(FIRST_UNIT_ROW, 2).protection.locked
        response = await post(client, content)
        assert response.status_code == 200, response.text
        assert response.json()["figure_mismatches"] == []
        assert await stored(client, "T-TPL-A") == [
            (code, own, final, note)
            for (code, _self, final, note), own in zip(STORED_A, EXPECTED["T-TPL-A"], strict=True)
        ]
        assert await stored(client, "T-TPL-B") == [
            (code, own, None, None) for code, own in zip(LEAVES, EXPECTED["T-TPL-B"], strict=True)
        ]
        # The same file again changes nothing.
        again = await post(client, content)
        assert again.json()["outcome"] == "unchanged"

    async def test_title_rows_added_and_units_by_name_saved_by_libreoffice(
        self, client: AsyncClient, year: int
    ) -> None:
        filled = fill(await template(client, "final"), by_name=True, title_rows=2)
        response = await post(client, resave(filled, name="template.xlsx"))
        assert response.status_code == 200, response.text
        assert response.json()["counts"]["units"] == 2
        for unit, finals in EXPECTED.items():
            assert [final for _c, _s, final, _n in await stored(client, unit)] == finals

    async def test_an_untouched_final_template_imports_unchanged(
        self, client: AsyncClient, year: int
    ) -> None:
        """Unit A alone (B's row, without scores, is left out): its template row comes back
        as stored, self scores and note included."""
        book = await template(client, "final")
        book.worksheets[0].delete_rows(FIRST_UNIT_ROW + 1)
        buffer = io.BytesIO()
        book.save(buffer)
        response = await post(client, buffer.getvalue())
        assert response.status_code == 200, response.text
        assert response.json()["outcome"] == "unchanged"
        assert await stored(client, "T-TPL-A") == STORED_A


class TestSelfSheets:
    async def test_missing_leaves_scored_zero_on_a_self_sheet_keep_the_finals(
        self, client: AsyncClient, year: int
    ) -> None:
        book = await template(client, "self")
        sheet = book.worksheets[0]
        sheet.delete_rows(FIRST_UNIT_ROW + 1)
        sheet.cell(FIRST_UNIT_ROW, 4).value = 1.25
        for column in range(5, 9):
            sheet.cell(FIRST_UNIT_ROW, column).value = None
        buffer = io.BytesIO()
        book.save(buffer)
        response = await post(client, buffer.getvalue(), missing_leaves="zero")
        assert response.status_code == 200, response.text
        assert response.json()["counts"]["zero_filled"] == 4
        assert await stored(client, "T-TPL-A") == [
            (code, own, final, note)
            for (code, _self, final, note), own in zip(
                STORED_A, ["1.25", "0.00", "0.00", "0.00", "0.00"], strict=True
            )
        ]

    async def test_a_self_sheet_score_given_again_in_long_is_a_located_problem(
        self, client: AsyncClient, year: int
    ) -> None:
        book = await template(client, "self")
        sheet = book.worksheets[0]
        sheet.delete_rows(FIRST_UNIT_ROW + 1)
        long = book.create_sheet("long")
        long.append(["unit_code", "criterion_code", "self_score", "final_score"])
        long.append(["T-TPL-A", "1.1", "1.5", None])
        buffer = io.BytesIO()
        book.save(buffer)
        body = assert_problem(await post(client, buffer.getvalue()), 422)
        assert [(e["loc"], e["msg"]) for e in body["errors"]] == [
            (
                ["long", 2, "criterion_code"],
                f"unit 'T-TPL-A' scores criterion '1.1' twice; first on sheet "
                f"'{GROUP} (tự chấm)' row {FIRST_UNIT_ROW}",
            )
        ]
        assert await stored(client, "T-TPL-A") == STORED_A
