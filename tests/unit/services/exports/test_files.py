"""Export tables and writers: formula neutralisation, numbers, BOM, XLSX sheets, negotiation."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.repositories.exports import ExportScoreRow as Row
from app.routers.export_format import ExportFormat, choose_format
from app.services.exports.files import (
    AboutItem,
    CellKind,
    Column,
    ExportDocument,
    Table,
    csv_cell,
    neutralise,
    restore_text,
    sheet_title,
    write_csv,
    write_xlsx,
)
from app.services.exports.scores import CriterionRow, ScoreExport, scores_document

GENERATED_AT = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
DANGEROUS = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


def table(*rows: tuple[str | Decimal | int | None, ...]) -> Table:
    columns = (Column("name"), Column("points", CellKind.SCORE), Column("change", CellKind.INTEGER))
    return Table("t", columns, rows)


def document(tbl: Table, *, revision: int | None = None) -> ExportDocument:
    about = (AboutItem("year", 2024, CellKind.INTEGER), AboutItem("status", "published"))
    return ExportDocument("ranking", 2024, "department", revision, tbl, (tbl,), about)


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


class TestNeutralise:
    @pytest.mark.parametrize("text", DANGEROUS)
    def test_text_starting_with_a_formula_character_gets_a_quote(self, text: str) -> None:
        assert neutralise(text) == "'" + text
        assert csv_cell(text, CellKind.TEXT) == "'" + text

    @pytest.mark.parametrize("text", ["Sở Y tế", "1.2", "a=b", "", " =x"])
    def test_other_text_is_unchanged(self, text: str) -> None:
        assert neutralise(text) == text

    @pytest.mark.parametrize("text", [*DANGEROUS, "'=x", "'quoted", "plain", ""])
    def test_restore_text_undoes_neutralise_exactly(self, text: str) -> None:
        assert restore_text(neutralise(text)) == text

    def test_negative_numbers_are_written_as_numbers(self) -> None:
        assert csv_cell(Decimal("-0.5"), CellKind.SCORE) == "-0.50"
        assert csv_cell(-2, CellKind.INTEGER) == "-2"
        assert csv_cell(Decimal("87.2"), CellKind.INDEX) == "87.20"
        assert csv_cell(Decimal("1.5000"), CellKind.SCORE) == "1.50"
        assert csv_cell(Decimal("1.2345"), CellKind.SCORE) == "1.2345"
        assert csv_cell(Decimal("-0.0000"), CellKind.SCORE) == "0.00"
        assert csv_cell(Decimal("8.3"), CellKind.MEAN) == "8.3000"
        assert csv_cell(None, CellKind.SCORE) == ""
        assert csv_cell(True, CellKind.FLAG) == "true"

    @pytest.mark.parametrize(
        ("value", "kind"),
        [("-0.5", CellKind.SCORE), ("-2", CellKind.INTEGER), (True, CellKind.INTEGER)],
    )
    def test_a_number_column_refuses_text_so_nothing_escapes_neutralisation(
        self, value: str | bool, kind: CellKind
    ) -> None:
        with pytest.raises(TypeError):
            csv_cell(value, kind)


class TestWriteCsv:
    def test_text_is_neutralised_and_numbers_are_not(self) -> None:
        content = write_csv(table(("=HYPERLINK(1)", Decimal("-0.5"), -2), ("-x", None, None)))
        assert read_csv(content) == [
            ["name", "points", "change"],
            ["'=HYPERLINK(1)", "-0.50", "-2"],
            ["'-x", "", ""],
        ]

    def test_rows_end_with_crlf(self) -> None:
        assert write_csv(table(("a", Decimal(1), 1))) == b"name,points,change\r\na,1.00,1\r\n"

    def test_bom_only_when_asked(self) -> None:
        rows = table(("Sở Y tế", Decimal("1.25"), 0))
        assert write_csv(rows, bom=True).startswith(b"\xef\xbb\xbfname,")
        assert write_csv(rows).startswith(b"name,")
        assert "Sở Y tế" in write_csv(rows).decode()


class TestWriteXlsx:
    def test_sheets_numbers_and_formula_text(self) -> None:
        content = write_xlsx(
            document(table(("=1+2", Decimal("-0.5"), -2), ("Sở", Decimal("1.2345"), None))),
            generated_at=GENERATED_AT,
        )
        assert content[:2] == b"PK"
        workbook = load_workbook(io.BytesIO(content))
        assert workbook.sheetnames == ["t", "about"]
        sheet = workbook["t"]
        assert [c.value for c in sheet[1]] == ["name", "points", "change"]
        formula_text, points, change = sheet[2]
        assert formula_text.data_type == "s"
        assert formula_text.value == "'=1+2"
        assert points.data_type == "n"
        assert points.value == -0.5
        assert points.number_format == "0.00##"
        assert change.value == -2
        assert sheet["B3"].value == pytest.approx(1.2345)
        assert sheet["C3"].value is None
        about = {row[0]: row[1] for row in workbook["about"].iter_rows(values_only=True)}
        assert about["year"] == 2024
        assert about["status"] == "published"
        assert about["generated_at"] == GENERATED_AT.isoformat()

    def test_sheet_titles_fit_excel_and_stay_unique(self) -> None:
        taken: set[str] = set()
        assert sheet_title("about", taken) == "about"
        assert sheet_title("About", taken) == "About~2"
        long_title = sheet_title("x" * 40, taken)
        assert len(long_title) == 31


class TestFilename:
    def test_carries_kind_year_subject_and_revision(self) -> None:
        assert document(table(), revision=1).filename("csv") == "ranking_2024_department_rev1.csv"
        assert document(table()).filename("xlsx") == "ranking_2024_department_rev-latest.xlsx"


class TestScoresDocument:
    def export(self) -> ScoreExport:
        criteria = (
            CriterionRow("g1", "1", "Một", "One", Decimal(3), None, is_leaf=False),
            CriterionRow("g1", "1.1", "=Một", "One.1", Decimal(1), "appraisal", is_leaf=True),
            CriterionRow("g1", "1.2", "Hai", "One.2", Decimal(2), "penalty", is_leaf=True),
            CriterionRow("g2", "1", "Ba", "Three", Decimal(5), "survey", is_leaf=True),
        )
        scores = (
            Row("g1", "U1", "1.1", Decimal("0.5000"), Decimal("0.2500"), "-late"),
            Row("g1", "U1", "1.2", None, Decimal("1.5"), None),
            Row("g1", "U2", "1.2", Decimal(2), None, None),
            Row("g2", "U3", "1", Decimal("4.1"), Decimal("4.1"), None),
        )
        return ScoreExport(2024, "draft", 0, None, None, scores, criteria)

    def test_csv_is_the_long_import_layout(self) -> None:
        content = write_csv(scores_document(self.export()).csv_table)
        assert read_csv(content) == [
            ["unit_code", "criterion_code", "self_score", "final_score", "note"],
            ["U1", "1.1", "0.50", "0.25", "'-late"],
            ["U1", "1.2", "", "1.50", ""],
            ["U2", "1.2", "2.00", "", ""],
            ["U3", "1", "4.10", "4.10", ""],
        ]

    def test_xlsx_has_a_wide_sheet_per_group_of_final_scores(self) -> None:
        doc = scores_document(self.export())
        assert doc.filename("xlsx") == "scores_2024_all_rev-latest.xlsx"
        workbook = load_workbook(io.BytesIO(write_xlsx(doc, generated_at=GENERATED_AT)))
        assert workbook.sheetnames == ["g1", "g2", "long", "criteria", "about"]
        assert list(workbook["g1"].iter_rows(values_only=True)) == [
            ("unit_code", "1.1", "1.2"),
            ("U1", 0.25, 1.5),
            ("U2", None, None),
        ]
        criteria = list(workbook["criteria"].iter_rows(values_only=True))
        assert criteria[0] == (
            "group",
            "code",
            "parent_code",
            "name_vi",
            "name_en",
            "max_score",
            "method",
        )
        assert criteria[2] == ("g1", "1.1", "1", "'=Một", "One.1", 1, "appraisal")


class TestChooseFormat:
    def test_query_wins_over_accept(self) -> None:
        assert choose_format(ExportFormat.JSON, "text/csv") is ExportFormat.JSON

    @pytest.mark.parametrize(
        ("accept", "expected"),
        [
            (None, ExportFormat.JSON),
            ("*/*", ExportFormat.JSON),
            ("text/html,application/xhtml+xml,*/*;q=0.8", ExportFormat.JSON),
            ("text/csv", ExportFormat.CSV),
            ("Text/CSV; charset=utf-8", ExportFormat.CSV),
            ("application/json;q=0.5, text/csv", ExportFormat.CSV),
            (
                "text/csv;q=0.2, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ExportFormat.XLSX,
            ),
            ("text/csv;q=0", ExportFormat.JSON),
            ("text/csv;q=abc", ExportFormat.JSON),
        ],
    )
    def test_accept_header(self, accept: str | None, expected: ExportFormat) -> None:
        assert choose_format(None, accept) is expected

    def test_only_offered_formats_are_chosen(self) -> None:
        offered = (ExportFormat.CSV, ExportFormat.XLSX)
        assert choose_format(None, "application/json", offered=offered) is ExportFormat.CSV
