"""Reading import files: encodings, delimiters, decimal commas, headers, XLSX and JSON layouts."""

import io
import tracemalloc
from decimal import Decimal

import pytest
from openpyxl import Workbook

from app.core.messages import message
from app.services.imports.parsing import csv as csv_files
from app.services.imports.parsing import json_stream
from app.services.imports.parsing.cells import RawScore, parse_score
from app.services.imports.parsing.csv import read_scores_csv
from app.services.imports.parsing.files import FileFormat, UnsupportedMediaType, detect_format
from app.services.imports.parsing.json import read_scores_json
from app.services.imports.parsing.problems import BadCell, ProblemLog
from app.services.imports.parsing.wide_sheet import WideSheetChecks
from app.services.imports.parsing.xlsx import read_scores_xlsx


def csv_rows(content: bytes) -> tuple[list[RawScore], ProblemLog]:
    problems = ProblemLog()
    return list(read_scores_csv(io.BytesIO(content), problems=problems)), problems


def scores(rows: list[RawScore]) -> list[tuple[str, str, object, object, str | None]]:
    """(unit, criterion, parsed self, parsed final, note) of each raw row."""
    return [(r[2], r[3], parse_score(r[4]), parse_score(r[5]), r[6]) for r in rows]


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TestCsv:
    def test_comma_separated_with_bom_reads_exact_decimals(self) -> None:
        content = (
            "\ufeffunit_code,criterion_code,self_score,final_score,note\r\n"
            "U1,1.1,1.5,1.25,on time\r\n"
            "U1,1.2,,2,\r\n"
        ).encode()
        rows, problems = csv_rows(content)
        assert not problems
        assert scores(rows) == [
            ("U1", "1.1", Decimal("1.5"), Decimal("1.25"), "on time"),
            ("U1", "1.2", None, Decimal(2), None),
        ]
        assert [(r[0], r[1]) for r in rows] == [("csv", 2), ("csv", 3)]

    def test_semicolons_with_vietnamese_decimal_comma(self) -> None:
        content = b"unit_code;criterion_code;self_score;final_score\nU1;1.1;1,5;1,25\n"
        rows, problems = csv_rows(content)
        assert not problems
        assert scores(rows) == [("U1", "1.1", Decimal("1.5"), Decimal("1.25"), None)]

    def test_quoted_decimal_comma_with_comma_delimiter(self) -> None:
        rows, problems = csv_rows(
            b'unit_code,criterion_code,self_score,final_score\nU1,1.1,"1,5",2\n'
        )
        assert not problems
        assert scores(rows) == [("U1", "1.1", Decimal("1.5"), Decimal(2), None)]

    @pytest.mark.parametrize(
        "header",
        [
            "Unit Code,Criterion Code,Self Score,Final Score,Note",
            "  UNIT_CODE , criterion_code,final_score,self_score,note",
            "note,final_score,self_score,criterion_code,unit_code",
        ],
    )
    def test_header_names_ignore_case_and_spacing_in_any_order(self, header: str) -> None:
        names = [" ".join(h.strip().lower().split()).replace(" ", "_") for h in header.split(",")]
        values = {"unit_code": "U1", "criterion_code": "2.1", "self_score": "4", "final_score": "5"}
        values["note"] = "n"
        line = ",".join(values[name] for name in names)
        rows, problems = csv_rows(f"{header}\n{line}\n".encode())
        assert not problems
        assert scores(rows) == [("U1", "2.1", Decimal(4), Decimal(5), "n")]

    def test_missing_and_unknown_columns_are_problems_on_the_header_row(self) -> None:
        rows, problems = csv_rows(b"unit_code,criterion,final_score\nU1,1.1,1\n")
        assert rows == []
        assert [p.loc for p in problems.items] == [["csv", 1, "criterion"], ["csv", 1]]
        assert "criterion_code, self_score" in problems.items[1].msg.render("en")

    def test_bad_utf8_reports_byte_offset_and_line(self) -> None:
        content = b"unit_code,criterion_code,self_score,final_score,note\nU1,1.1,,1,caf\xe9\n"
        rows, problems = csv_rows(content)
        assert rows == []
        [problem] = problems.items
        assert problem.loc == ["csv", 2]
        assert problem.msg.render("en").startswith("wrong encoding: expected UTF-8")
        offset = content.index(b"\xe9")
        assert f"byte offset {offset}" in problem.msg.render("en")
        assert "line 2" in problem.msg.render("en")

    def test_bad_utf8_across_a_chunk_boundary_is_located_exactly(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        header = b"unit_code,criterion_code,self_score,final_score,note\n"
        body = b"U1,1.1,,1," + "é".encode() * 10 + b"\xff\n"
        monkeypatch.setattr(csv_files, "CHUNK_BYTES", len(header) + 11)  # splits the first é
        _, problems = csv_rows(header + body)
        assert f"byte offset {len(header + body) - 2}" in problems.items[0].msg.render("en")

    def test_blank_rows_are_skipped_but_counted(self) -> None:
        rows, problems = csv_rows(
            b"unit_code,criterion_code,self_score,final_score\n\n,,,\nU1,1.1,,1\n"
        )
        assert not problems
        assert [r[1] for r in rows] == [4]

    def test_multi_line_quoted_note_is_one_row(self) -> None:
        rows, problems = csv_rows(
            b'unit_code,criterion_code,self_score,final_score,note\nU1,1.1,,1,"two\nlines"\n'
        )
        assert not problems
        assert rows[0][6] == "two\nlines"

    def test_an_export_s_formula_guard_is_undone(self) -> None:
        rows, _ = csv_rows(
            b"unit_code,criterion_code,self_score,final_score,note\nU1,1.1,,1,'=SUM\n"
        )
        assert rows[0][6] == "=SUM"


class TestParseScore:
    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("1.25", Decimal("1.25")),
            (" 1,25 ", Decimal("1.25")),
            ("2.50000", Decimal("2.50000")),
            (1.25, Decimal("1.25")),
            (0.1, Decimal("0.1")),
            (3, Decimal(3)),
            ("", None),
            (None, None),
            ("-0", Decimal(0)),
        ],
    )
    def test_valid_scores(self, cell: object, expected: Decimal | None) -> None:
        assert parse_score(cell) == expected  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("cell", "reason"),
        [
            ("abc", "not a number"),
            ("1.2.3", "not a number"),
            ("1,2,3", "not a number"),
            ("NaN", "not a number"),
            ("1e3", "not a number"),
            (True, "not a number"),
            ("-0.5", "below 0"),
            ("1.23456", "more than 4 decimals"),
            (1.23456, "more than 4 decimals"),
        ],
    )
    def test_invalid_scores(self, cell: object, reason: str) -> None:
        result = parse_score(cell)  # type: ignore[arg-type]
        assert isinstance(result, BadCell)
        assert reason in result.msg.render("en")


class TestXlsx:
    def test_wide_group_sheets_and_a_long_sheet(self) -> None:
        content = workbook_bytes(
            {
                "department": [["unit_code", "1.1", "1.2"], ["U1", 1.25, None], ["U2", 1, "0,5"]],
                "long": [
                    ["unit_code", "criterion_code", "self_score", "final_score", "note"],
                    ["U3", "2.1", 5, 4.75, "ok"],
                ],
                "about": [["export", "scores"]],
                "criteria": [["code"], ["1"]],
            }
        )
        problems = ProblemLog()
        rows = list(read_scores_xlsx(io.BytesIO(content), problems=problems))
        assert not problems
        assert [(r[0], r[1], r[7]) for r in rows] == [
            ("department", 2, "department"),
            ("department", 3, "department"),
            ("department", 3, "department"),
            ("long", 2, None),
        ]
        assert scores(rows) == [
            ("U1", "1.1", None, Decimal("1.25"), None),
            ("U2", "1.1", None, Decimal(1), None),
            ("U2", "1.2", None, Decimal("0.5"), None),
            ("U3", "2.1", Decimal(5), Decimal("4.75"), "ok"),
        ]

    def test_wide_sheet_without_unit_code_column_is_a_problem(self) -> None:
        content = workbook_bytes({"department": [["unit", "1.1"], ["U1", 1]]})
        problems = ProblemLog()
        assert list(read_scores_xlsx(io.BytesIO(content), problems=problems)) == []
        assert problems.items[0].loc == ["department", 1]

    def test_an_officials_sheet_under_title_rows_with_names_maxima_and_figures(self) -> None:
        content = workbook_bytes(
            {
                "Sở, ban, ngành": [
                    ["UBND TỈNH LÂM ĐỒNG"],
                    ["BẢNG TỔNG HỢP ĐIỂM CHỈ SỐ CCHC NĂM 2024"],
                    ["STT", "Tên đơn vị", "Kế hoạch", "Báo cáo", "Tổng điểm", "Chỉ số", "Hạng"],
                    [None, None, "1.1", 1.2],
                    [None, "Điểm tối đa", 1.5, "3"],
                    [None, "Phương pháp", "appraisal", "indicator"],
                    [1, "Sở Y tế", "1,25", 2, 3.25, 81.25, 1],
                    [2, "Sở Nội vụ", 1, None],
                    [],
                    [None, "Người lập biểu"],
                ]
            }
        )
        problems = ProblemLog()
        checks = WideSheetChecks(maxima=lambda group: {"1.1": Decimal("1.5"), "1.2": Decimal(2)})
        rows = list(read_scores_xlsx(io.BytesIO(content), problems=problems, checks=checks))
        assert [(p.loc, p.msg.render("en")) for p in problems.items] == [
            (
                ["Sở, ban, ngành", 5, "1.2"],
                "the sheet gives '1.2' a maximum of 3; its maximum in the year's criteria set is 2",
            )
        ]
        assert [(r.row_number, r.unit_code, r.unit_name, r.criterion_code) for r in rows] == [
            (7, "", "Sở Y tế", "1.1"),
            (7, "", "Sở Y tế", "1.2"),
            (8, "", "Sở Nội vụ", "1.1"),
        ]
        assert scores(rows)[0][3] == Decimal("1.25")
        [figure] = checks.figures
        assert (figure.row_number, figure.unit_name) == (7, "Sở Y tế")
        assert [(role.value, cell) for role, cell in figure.cells] == [
            ("total", 3.25),
            ("index", 81.25),
            ("rank", 1),
        ]

    def test_an_unknown_column_beside_the_codes_is_a_problem(self) -> None:
        content = workbook_bytes(
            {"department": [["unit_code", "1.1", "Xếp loại"], ["U1", 1, "Tốt"]]}
        )
        problems = ProblemLog()
        assert len(list(read_scores_xlsx(io.BytesIO(content), problems=problems))) == 1
        assert problems.items[0].loc == ["department", 1, "Xếp loại"]

    def test_a_unit_row_without_scores_is_a_problem(self) -> None:
        content = workbook_bytes({"department": [["unit_code", "1.1"], ["U1", None]]})
        problems = ProblemLog()
        assert list(read_scores_xlsx(io.BytesIO(content), problems=problems)) == []
        assert problems.items[0].loc == ["department", 2, "unit_code"]


def json_rows(
    content: bytes, monkeypatch: pytest.MonkeyPatch | None = None, *, read_bytes: int = 7
) -> tuple[list[RawScore], ProblemLog]:
    """Rows and problems of a JSON scores file; with `monkeypatch`, read `read_bytes` at a time,
    so tokens, characters and the BOM fall across reads."""
    if monkeypatch is not None:
        monkeypatch.setattr(json_stream, "READ_BYTES", read_bytes)
    problems = ProblemLog()
    return list(read_scores_json(io.BytesIO(content), problems=problems)), problems


def problem_list(problems: ProblemLog) -> list[tuple[list[str | int], str]]:
    return [(list(p.loc), p.msg.render("en")) for p in problems.items]


JSON_ROWS = """[
  {"unit_code": " U1 ", "criterion_code": "1.1", "self_score": 1.5, "final_score": "1,25",
   "note": " ghi chú "},
  {"unit_code": "U1", "criterion_code": "1.2", "self_score": null, "final_score": 2},
  {"unit_code": "U2", "criterion_code": "1.1", "final_score": 0.1, "note": ""}
]"""


class TestJson:
    def test_object_with_scores_and_bare_list_read_the_same(self) -> None:
        item = (
            '{"unit_code": "U1", "criterion_code": "1.1", "self_score": 1.5, "final_score": "1,25"}'
        )
        for document in (f'{{"scores": [{item}]}}', f"[{item}]"):
            problems = ProblemLog()
            rows = list(read_scores_json(io.BytesIO(document.encode()), problems=problems))
            assert not problems
            assert scores(rows) == [("U1", "1.1", Decimal("1.5"), Decimal("1.25"), None)]
            assert rows[0][:2] == ("json", 1)

    @pytest.mark.parametrize(
        "document",
        [
            JSON_ROWS,
            f'{{"year": 2024, "meta": {{"scores": []}}, "scores": {JSON_ROWS}, "after": [1]}}',
            "\ufeff" + JSON_ROWS,
        ],
        ids=["bare list", "object with other keys", "bare list after a BOM"],
    )
    def test_read_in_small_pieces_both_shapes_give_the_same_raw_rows(
        self, document: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        rows, problems = json_rows(document.encode(), monkeypatch)
        assert not problems
        assert rows == [
            ("json", 1, "U1", "1.1", Decimal("1.5"), "1,25", "ghi chú", None, None),
            ("json", 2, "U1", "1.2", None, 2, None, None, None),
            ("json", 3, "U2", "1.1", None, Decimal("0.1"), None, None, None),
        ]

    def test_numbers_are_exact_decimals_and_whole_numbers_stay_int(self) -> None:
        finals = ["1.25", "0.1", "2.50000", "1e3", "0.30000000000000004", "7", "-0"]
        items = ", ".join(f'{{"unit_code": "U", "final_score": {f}}}' for f in finals)
        rows, problems = json_rows(f'{{"scores": [{items}]}}'.encode())
        assert not problems
        values = [row[5] for row in rows]
        assert values == [
            Decimal("1.25"),
            Decimal("0.1"),
            Decimal("2.50000"),
            Decimal("1E+3"),
            Decimal("0.30000000000000004"),
            7,
            0,
        ]
        assert [type(v) for v in values] == [Decimal] * 5 + [int] * 2
        assert str(values[2]) == "2.50000"
        assert isinstance(parse_score(values[4]), BadCell)  # more than 4 decimals, not rounded

    def test_booleans_and_text_reach_the_score_check_as_they_are(self) -> None:
        rows, problems = json_rows(b'[{"unit_code": "U", "self_score": true, "final_score": "x"}]')
        assert not problems
        assert rows[0][4:6] == (True, "x")
        assert isinstance(parse_score(rows[0][4]), BadCell)

    def test_strange_items_and_fields_are_placed_by_item_number(self) -> None:
        rows, problems = json_rows(
            b'{"scores": [1, "x", [], null, {"unit_code": 5, "criterion_code": ["1"],'
            b' "note": 3, "foo": 1}]}'
        )
        assert [r[1:4] for r in rows] == [(5, "", "")]
        assert problem_list(problems) == [
            (["json", 1], "each row must be an object"),
            (["json", 2], "each row must be an object"),
            (["json", 3], "each row must be an object"),
            (["json", 4], "each row must be an object"),
            (["json", 5, "foo"], "unknown field 'foo'"),
            (["json", 5, "unit_code"], "unit_code must be text"),
            (["json", 5, "criterion_code"], "criterion_code must be text"),
            (["json", 5, "note"], "note must be text"),
        ]

    @pytest.mark.parametrize(
        "document",
        [
            b"5",
            b'"scores"',
            b"null",
            b'{"rows": []}',
            b'{"scores": 5}',
            b'{"scores": {"item": {}}}',
        ],
    )
    def test_anything_but_a_list_or_a_scores_list_is_a_problem(self, document: bytes) -> None:
        rows, problems = json_rows(document)
        assert rows == []
        assert problem_list(problems) == [
            (["json"], "expected a list of rows or an object with a 'scores' list")
        ]

    @pytest.mark.parametrize("document", [b"[]", b'{"scores": []}', b'  {"scores": [] }\n'])
    def test_an_empty_list_is_no_rows_and_no_problem(self, document: bytes) -> None:
        rows, problems = json_rows(document)
        assert (rows, problems.total) == ([], 0)

    def test_unknown_fields_and_invalid_json_are_problems(self) -> None:
        problems = ProblemLog()
        list(read_scores_json(io.BytesIO(b'[{"unit": "U1"}]'), problems=problems))
        assert problems.items[0].loc == ["json", 1, "unit"]
        problems = ProblemLog()
        list(read_scores_json(io.BytesIO(b'{"scores": [}'), problems=problems))
        assert problems.items[0].msg.render("en").startswith("not valid JSON")

    @pytest.mark.parametrize("read_bytes", [1, 5, 64, 1 << 16])
    def test_invalid_json_is_placed_at_its_line_and_column_however_it_is_read(
        self, read_bytes: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        content = (
            '\ufeff{"scores": [\n  {"unit_code": "U1", "final_score": 1},\n'
            '  {"unit_code": "Ủy ban", "final_score": 2,, "note": "x"}\n]}\n'
        ).encode()
        rows, problems = json_rows(content, monkeypatch, read_bytes=read_bytes)
        assert [r[2] for r in rows] == ["U1"]  # rows before the break are still read
        assert problem_list(problems) == [
            (["json", 3], "not valid JSON: invalid object key (must be a string) (column 44)")
        ]

    @pytest.mark.parametrize(
        ("content", "line", "message"),
        [
            (b"", 1, "not valid JSON: premature EOF (column 1)"),
            (b'[{"unit_code": "U1"}', 1, "not valid JSON: premature EOF (column 21)"),
            (b"[1] x", 1, "not valid JSON: trailing garbage (column 5)"),
            (
                b'[\n {"final_score": NaN}]',
                2,
                "not valid JSON: invalid char in json text (column 18)",
            ),
        ],
    )
    def test_broken_json_messages(self, content: bytes, line: int, message: str) -> None:
        _, problems = json_rows(content)
        assert (problems.items[-1].loc, problems.items[-1].msg.render("en")) == (
            ["json", line],
            message,
        )

    @pytest.mark.parametrize("read_bytes", [1, 3, 1 << 16])
    def test_bad_utf8_reports_byte_offset_and_line_counting_the_bom(
        self, read_bytes: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        content = '\ufeff[\n{"unit_code": "Ủy"},\n{"note": "caf'.encode() + b'\xe9"}]'
        rows, problems = json_rows(content, monkeypatch, read_bytes=read_bytes)
        assert len(rows) <= 1
        offset = content.index(b"\xe9")
        assert problem_list(problems)[-1] == (
            ["json", 3],
            f"wrong encoding: expected UTF-8 (byte 0xe9 at byte offset {offset}, line 3)",
        )

    def test_memory_stays_flat_however_many_rows(self) -> None:
        """200,000 rows (9 MB) stream in a fixed budget of traced memory, a fraction of the
        file; reading the whole document took about five times the file."""
        row = '{"unit_code": "U%06d", "final_score": 1.25}'
        count = 200_000
        content = ("[" + ",".join(row % n for n in range(count)) + "]").encode()
        source = io.BytesIO(content)
        problems = ProblemLog()
        tracemalloc.start()
        try:
            read = sum(1 for _ in read_scores_json(source, problems=problems))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (read, problems.total) == (count, 0)
        assert peak < 2 * 2**20 < len(content) / 4, f"peak {peak:,} B, file {len(content):,} B"


class TestDetectFormat:
    @pytest.mark.parametrize(
        ("name", "content_type", "head", "expected"),
        [
            ("s.csv", "text/csv", b"unit_code,", FileFormat.CSV),
            ("s.CSV", None, b"\xef\xbb\xbfunit_code;", FileFormat.CSV),
            ("s.xlsx", "application/octet-stream", b"PK\x03\x04rest", FileFormat.XLSX),
            ("upload", None, b"PK\x03\x04rest", FileFormat.XLSX),
            ("s.json", None, b'{"scores": []}', FileFormat.JSON),
            ("s.txt", None, b'  [{"unit_code": 1}]', FileFormat.JSON),
            ("s", "text/csv", b"unit_code,", FileFormat.CSV),
        ],
    )
    def test_known_formats(
        self, name: str, content_type: str | None, head: bytes, expected: FileFormat
    ) -> None:
        assert detect_format(file_name=name, content_type=content_type, head=head) is expected

    @pytest.mark.parametrize(
        ("name", "head"),
        [
            ("s.pdf", b"%PDF-1.7"),
            ("s.xls", b"\xd0\xcf\x11\xe0\xa1\xb1"),
            ("s.xlsx", b"unit_code,criterion_code"),
            ("s.csv", b"PK\x03\x04"),
            ("s.txt", "unit_code".encode("utf-16")),
        ],
    )
    def test_anything_else_is_unsupported(self, name: str, head: bytes) -> None:
        with pytest.raises(UnsupportedMediaType):
            detect_format(file_name=name, content_type=None, head=head)


class TestProblemLog:
    def test_a_problem_placed_later_takes_its_place_in_file_order(self) -> None:
        problems = ProblemLog()
        for row in (2, 5, 9):
            problems.position = 2 * row + 1
            problems.add(["csv", row], message("scores.at-row", row=row))
        problems.add_at(2 * 5 + 1, ["csv", 5, "criterion_code"], message("scores.empty-criterion"))
        assert [p.loc for p in problems.items] == [
            ["csv", 2],
            ["csv", 5, "criterion_code"],
            ["csv", 5],
            ["csv", 9],
        ]
        assert problems.total == 4

    def test_the_first_problems_in_file_order_are_kept_within_the_limit(self) -> None:
        problems = ProblemLog(limit=2)
        for row in (4, 6, 8):
            problems.position = row
            problems.add(["csv", row], message("scores.at-row", row=row))
        problems.add_at(3, ["csv", 3], message("scores.empty-unit"))
        problems.add_at(7, ["csv", 7], message("scores.empty-unit"))
        problems.count_more(5)
        assert [p.loc for p in problems.items] == [["csv", 3], ["csv", 4]]
        assert (problems.total, problems.omitted) == (10, 8)
