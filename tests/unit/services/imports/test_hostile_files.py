"""Hostile import files: each refused with a located problem, in bounded time and memory.

Numbers the JSON parser cannot survive, nesting past any sane depth, lines past the csv module's
limit, XML that declares entities, zip bombs, sheets past the row and column limits, files that
say two things (a key twice) or nothing (no rows).
"""

import io
import json
import random
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.messages import Message, message
from app.services.imports.parsing import FileFormat, read_criteria, read_published, read_scores
from app.services.imports.parsing.archive import MAX_PARTS
from app.services.imports.parsing.cells import parse_score
from app.services.imports.parsing.csv import MAX_LINE_CHARS
from app.services.imports.parsing.json_guard import MAX_DEPTH, JsonGuard
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import BadCell, ProblemLog
from tests import hostile_files as hostile

SCORES_HEADER = ["unit_code", "criterion_code", "self_score", "final_score"]
MiB = 1 << 20


def problem_list(problems: ProblemLog) -> list[tuple[list[str | int], str]]:
    return [(list(problem.loc), problem.msg.render("en")) for problem in problems.items]


def scores_of(
    content: bytes, file_format: FileFormat, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[Any], ProblemLog]:
    problems = ProblemLog()
    source = io.BytesIO(content)
    rows = list(read_scores(source, file_format, problems=problems, progress=None, limits=limits))
    return rows, problems


@contextmanager
def bounded(*, seconds: float, peak_bytes: int) -> Iterator[None]:
    """The block runs within `seconds` and allocates at most `peak_bytes` at its peak; both
    generous, so that only reading a file whole (or without end) can break them."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < peak_bytes, f"peak {peak / MiB:.1f} MiB"


def reference_check(data: bytes, *, max_digits: int, max_depth: int) -> tuple[int, Message] | None:
    """The guard's rule one byte at a time, from a fresh state: what any chunking must find."""
    guard = JsonGuard(max_digits=max_digits, max_depth=max_depth)
    return guard._locate(data)


def _worded(refused: tuple[int, Message] | None) -> tuple[int, str] | None:
    return None if refused is None else (refused[0], refused[1].render("en"))


class TestJsonGuard:
    def test_an_integer_past_the_limit_is_refused_at_its_first_extra_digit(self) -> None:
        assert _worded(JsonGuard(max_digits=5).check(b"[123456]")) == (
            6,
            "a number with more than 5 digits",
        )
        assert JsonGuard(max_digits=5).check(b"[12345, 1.12345e12345]") is None

    def test_nesting_past_the_limit_is_refused_where_it_opens(self) -> None:
        guard = JsonGuard(max_digits=5, max_depth=3)
        assert _worded(guard.check(b'{"a": [[1]], "b": [[[')) == (
            20,
            "nested more than 3 levels deep",
        )

    def test_digits_brackets_and_escaped_quotes_inside_strings_do_not_count(self) -> None:
        document = b'["1234567", "[[[[{{{{", "say \\"123456\\" \\\\", 12345]'
        assert JsonGuard(max_digits=5, max_depth=2).check(document) is None

    def test_any_chunking_finds_what_a_byte_by_byte_reading_finds(self) -> None:
        """Random documents of the characters that matter, split at random: the fast path and
        its carried state agree with the rule applied one byte at a time."""
        alphabet = ['"', "\\", "1", "2", "[", "]", "{", "}", "a", ",", " ", "é"]
        rng = random.Random(12)
        for _ in range(3000):
            data = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))).encode()
            expected = _worded(reference_check(data, max_digits=3, max_depth=2))
            guard = JsonGuard(max_digits=3, max_depth=2)
            cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, 3)))
            found, start = None, 0
            for cut in [*cuts, len(data)]:
                refused = guard.check(data[start:cut])
                if refused is not None:
                    found = (start + refused[0], refused[1].render("en"))
                    break
                start = cut
            assert found == expected, (data, cuts)


class TestJsonScores:
    def test_a_number_of_4301_digits_is_a_located_problem_not_a_crash(self, tmp_path: Path) -> None:
        """ijson's C parser dies of a segmentation fault on this file (4,300 digits it reads)."""
        done = hostile.read_json_scores_apart(hostile.long_number_json(4301), tmp_path)
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
        column = len('{"scores": [{"unit_code": "U1", "criterion_code": "1.1", "final_score": ')
        assert json.loads(done.stdout) == [
            [["json", 1], f"a number with more than 100 digits (column {column + 101})"]
        ]

    def test_a_long_run_of_digits_inside_a_note_is_read(self) -> None:
        row = {"unit_code": "U1", "criterion_code": "1.1", "final_score": 1, "note": "7" * 5000}
        rows, problems = scores_of(hostile.json_document("scores", [row]), FileFormat.JSON)
        assert not problems
        assert rows[0].note == "7" * 5000

    def test_nesting_100_000_deep_is_a_located_problem_in_bounded_memory(self) -> None:
        content = hostile.deep_json("scores", 100_000)
        with bounded(seconds=5, peak_bytes=32 * MiB):
            rows, problems = scores_of(content, FileFormat.JSON)
        assert rows == []
        column = len('{"scores": ') + MAX_DEPTH  # the object is the first level
        assert problem_list(problems) == [
            (["json", 1], f"nested more than {MAX_DEPTH} levels deep (column {column})")
        ]

    def test_a_list_where_a_score_belongs_is_a_bad_cell(self) -> None:
        assert parse_score([[1]]) == BadCell(message("cell.list"))  # type: ignore[arg-type]
        assert parse_score({"a": 1}) == BadCell(message("cell.object"))  # type: ignore[arg-type]

    def test_a_field_given_twice_in_a_row_is_a_problem_at_the_field(self) -> None:
        content = (
            b'[{"unit_code": "U1", "criterion_code": "1.1", "final_score": 1},\n'
            b' {"unit_code": "U1", "criterion_code": "1.2", "final_score": "0.83",'
            b' "final_score": "0"}]'
        )
        _, problems = scores_of(content, FileFormat.JSON)
        assert problem_list(problems) == [
            (
                ["json", 2, "final_score"],
                "'final_score' is given more than once in the object; give it once",
            )
        ]

    def test_an_empty_list_is_nothing_to_import(self) -> None:
        _, problems = scores_of(b'{"scores": []}', FileFormat.JSON)
        assert problem_list(problems) == [
            (["json"], "the list of scores is empty: nothing to import")
        ]


PUBLISHED_ROW = {"unit_code": "U1", "source": "demo", "index_value": "80.5"}


def published_of(content: bytes) -> ProblemLog:
    problems = ProblemLog()
    read_published(io.BytesIO(content), FileFormat.JSON, problems=problems)
    return problems


def criteria_of(content: bytes, file_format: FileFormat = FileFormat.JSON) -> ProblemLog:
    problems = ProblemLog()
    read_criteria(io.BytesIO(content), file_format, group="department", problems=problems)
    return problems


class TestJsonDocuments:
    """Published results and criteria sets are read whole by the json module."""

    @pytest.mark.parametrize(
        ("key", "read"),
        [("published_results", published_of), ("criteria", criteria_of)],
    )
    def test_nesting_100_000_deep_is_a_located_problem(
        self, key: str, read: Callable[[bytes], ProblemLog]
    ) -> None:
        problems = read(hostile.deep_json(key, 100_000))
        column = len(f'{{"{key}": ') + MAX_DEPTH
        assert problem_list(problems) == [
            (["json", 1], f"nested more than {MAX_DEPTH} levels deep (column {column})")
        ]

    def test_a_number_of_5000_digits_is_a_located_problem(self) -> None:
        content = b'{"published_results": [\n{"unit_code": "U1", "index_value": ' + b"9" * 5000
        assert problem_list(published_of(content + b"}]}")) == [
            (["json", 2], "a number with more than 100 digits (column 136)")
        ]

    def test_a_field_given_twice_in_a_published_row(self) -> None:
        content = json.dumps({"published_results": [PUBLISHED_ROW, PUBLISHED_ROW]}).encode()
        content = content.replace(b'"80.5"}]', b'"80.5", "index_value": "8.05"}]')
        assert problem_list(published_of(content)) == [
            (
                ["json", 2, "index_value"],
                "'index_value' is given more than once in the object; give it once",
            )
        ]

    def test_a_key_given_twice_anywhere_in_a_criteria_set(self) -> None:
        content = (
            b'{"criteria": [{"code": "1", "name_vi": "A", "name_en": "A", "max_score": 1,'
            b' "name_vi": "B"}], "bands": [], "bands": []}'
        )
        assert [loc for loc, _ in problem_list(criteria_of(content))] == [
            ["json", "bands"],
            ["json", "criteria", 0, "name_vi"],
        ]

    def test_an_empty_list_of_published_results_is_nothing_to_import(self) -> None:
        assert problem_list(published_of(b"[]")) == [
            (["json"], "the list of published results is empty: nothing to import")
        ]


def csv_scores(content: bytes) -> tuple[list[Any], ProblemLog]:
    return scores_of(content, FileFormat.CSV)


class TestCsv:
    def test_a_header_longer_than_the_field_limit_is_a_located_problem(self) -> None:
        content = ",".join(SCORES_HEADER).encode() + b"x" * MAX_LINE_CHARS + b"\nU1,1.1,,1\n"
        rows, problems = csv_scores(content)
        assert rows == []
        assert problem_list(problems) == [
            (["csv", 1], "line 1 is longer than 131,072 characters; is this a CSV file?")
        ]

    def test_a_quoted_header_cell_running_past_the_field_limit(self) -> None:
        """Each line is short, but the quoted cell spans them: the csv module's own limit."""
        cell = '"' + ("x" * 1000 + "\n") * 200 + '"'
        _, problems = csv_scores(f"{cell},criterion_code\nU1,1.1\n".encode())
        assert [loc for loc, _ in problem_list(problems)] == [["csv", 1]]
        first = problems.items[0].msg.render("en")
        assert "unreadable CSV header: field larger than field limit" in first

    def test_a_20_mib_line_is_refused_as_it_streams_in(self) -> None:
        content = ",".join(SCORES_HEADER).encode() + b"\nU1,1.1,," + b"9" * (20 * MiB) + b"\n"
        with bounded(seconds=5, peak_bytes=24 * MiB):
            rows, problems = csv_scores(content)
        assert rows == []
        assert [loc for loc, _ in problem_list(problems)] == [["csv", 2]]

    def test_a_header_without_rows_is_nothing_to_import(self) -> None:
        rows, problems = csv_scores(",".join(SCORES_HEADER).encode() + b"\n\n")
        assert rows == []
        assert problem_list(problems) == [
            (["csv", 2], "no rows of scores under the header: nothing to import")
        ]

    def test_a_published_header_without_rows_is_nothing_to_import(self) -> None:
        problems = ProblemLog()
        content = b"unit_code,index_value,source\n"
        read_published(io.BytesIO(content), FileFormat.CSV, problems=problems)
        assert problem_list(problems) == [
            (["csv", 2], "no rows under the header: nothing to import")
        ]


SHEET_PART = hostile.SHEET_PART
LONG_ROWS: list[list[Any]] = [SCORES_HEADER, ["U1", "1.1", None, 1], ["U1", "1.2", None, 2]]


def long_workbook() -> bytes:
    return hostile.workbook({"long": LONG_ROWS})


def xlsx_scores(
    content: bytes, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[Any], ProblemLog]:
    return scores_of(content, FileFormat.XLSX, limits)


class TestXlsxXml:
    def test_malformed_sheet_xml_is_a_problem_at_its_row(self) -> None:
        sheet = hostile.parts_of(long_workbook())[SHEET_PART]
        broken = sheet.replace(b"<v>2</v></c></row>", b"<v>2</v></row>")
        assert broken != sheet
        rows, problems = xlsx_scores(hostile.with_parts(long_workbook(), {SHEET_PART: broken}))
        assert len(rows) == 1  # the row before
        assert [loc for loc, _ in problem_list(problems)] == [["long", 3]]
        assert problems.items[0].msg.render("en").startswith("unreadable sheet XML: mismatched tag")

    def test_an_external_entity_is_refused_and_nothing_is_fetched(self, tmp_path: Path) -> None:
        secret = tmp_path / "secret.txt"
        secret.write_text("MARKER-81723")
        doctype = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        strings = hostile.shared_strings_with_doctype(doctype, "&xxe;")
        rows, problems = xlsx_scores(hostile.with_shared_strings(long_workbook(), strings))
        assert rows == []
        assert [loc for loc, _ in problem_list(problems)] == [["xlsx", "xl/sharedStrings.xml"]]
        assert problems.items[0].msg.render("en").startswith("declares a document type (line 1)")
        assert "MARKER" not in repr(problem_list(problems))

    def test_entity_expansion_is_refused_before_any_expansion(self) -> None:
        strings = hostile.shared_strings_with_doctype(hostile.billion_laughs(), "&lol9;")
        with bounded(seconds=5, peak_bytes=16 * MiB):
            rows, problems = xlsx_scores(hostile.with_shared_strings(long_workbook(), strings))
        assert rows == []
        assert [loc for loc, _ in problem_list(problems)] == [["xlsx", "xl/sharedStrings.xml"]]

    def test_shared_strings_without_a_doctype_are_read(self) -> None:
        strings = hostile.shared_strings_with_doctype("", "U9")
        _, problems = xlsx_scores(hostile.with_shared_strings(long_workbook(), strings))
        assert not problems


class TestXlsxSizes:
    def test_a_zip_bomb_is_refused_before_reading_in_flat_memory(self) -> None:
        bomb = hostile.zip_bomb_xlsx(2 << 30)  # 2 GiB from about 4 MB
        assert len(bomb) < 6_000_000
        with bounded(seconds=5, peak_bytes=32 * MiB):
            rows, problems = xlsx_scores(bomb)
        assert rows == []
        parts = zipfile.ZipFile(io.BytesIO(bomb)).infolist()
        [sheet] = [part for part in parts if part.filename == SHEET_PART]
        total = sum(part.file_size for part in parts)
        assert sheet.file_size > 2**31 - 4096
        assert problem_list(problems) == [
            (
                ["xlsx", SHEET_PART],
                f"unpacks to {sheet.file_size:,} bytes from {sheet.compress_size:,}, more than "
                "100 times its size (a zip bomb?)",
            ),
            (
                ["xlsx"],
                f"the workbook unpacks to {total:,} bytes ({SHEET_PART}: "
                f"{sheet.file_size:,}); at most 268,435,456 are read",
            ),
        ]

    def test_a_small_bomb_is_refused_by_its_ratio(self) -> None:
        _, problems = xlsx_scores(hostile.zip_bomb_xlsx(8 * MiB))
        assert [loc for loc, _ in problem_list(problems)] == [["xlsx", SHEET_PART]]

    def test_the_total_unpacked_size_has_a_limit_of_its_own(self) -> None:
        limits = replace(DEFAULT_LIMITS, unpacked_bytes=10_000)
        _, problems = xlsx_scores(long_workbook(), limits)
        assert [loc for loc, _ in problem_list(problems)] == [["xlsx"]]
        assert "at most 10,000 are read" in problems.items[0].msg.render("en")

    def test_an_archive_of_too_many_parts_is_refused_before_its_directory_is_read(
        self,
    ) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for number in range(MAX_PARTS + 1):
                archive.writestr(f"p{number}", b"")
        _, problems = xlsx_scores(buffer.getvalue())
        assert problem_list(problems) == [(["xlsx"], "the archive has more than 10,000 parts")]


def sheet_with(rows_xml: bytes, *, dimension: str | None = None) -> bytes:
    return hostile.with_parts(
        long_workbook(), {SHEET_PART: hostile.sheet_xml(rows_xml, dimension=dimension)}
    )


HEADER_XML = b"".join(
    b'<c t="inlineStr"><is><t>' + name.encode() + b"</t></is></c>" for name in SCORES_HEADER
)


class TestXlsxRowsAndColumns:
    def test_rows_past_the_limit_are_refused_before_reading(self) -> None:
        _, problems = xlsx_scores(long_workbook(), replace(DEFAULT_LIMITS, rows=2))
        assert problem_list(problems) == [(["xlsx", SHEET_PART], "more than 2 rows")]

    def test_cells_past_the_limit_are_refused_before_reading(self) -> None:
        _, problems = xlsx_scores(long_workbook(), replace(DEFAULT_LIMITS, columns=3))
        assert problem_list(problems) == [(["xlsx", SHEET_PART], "row 1 has more than 3 cells")]

    def test_a_declared_dimension_past_the_limits_is_refused(self) -> None:
        content = sheet_with(b"<row>" + HEADER_XML + b"</row>", dimension="A1:XFD1048576")
        _, problems = xlsx_scores(content)
        assert problem_list(problems) == [
            (
                ["long"],
                "the sheet declares 1,048,576 rows and 16,384 columns; at most 1,048,576 rows "
                "and 1,024 columns are read",
            )
        ]

    def test_a_cell_far_to_the_right_is_refused_while_streaming(self) -> None:
        content = sheet_with(b'<row><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>')
        _, problems = xlsx_scores(content)
        assert problem_list(problems) == [(["long", 1], "a cell past column 1,024 (the limit)")]

    def test_a_row_numbered_past_the_limit_is_refused_while_streaming(self) -> None:
        rows_xml = b'<row r="1">' + HEADER_XML + b'</row><row r="99"><c><v>1</v></c></row>'
        with bounded(seconds=5, peak_bytes=16 * MiB):
            _, problems = xlsx_scores(sheet_with(rows_xml), replace(DEFAULT_LIMITS, rows=50))
        assert problem_list(problems) == [(["long", 51], "more than 50 rows")]

    def test_rows_past_a_dimension_declared_too_small_are_read(self) -> None:
        """openpyxl would drop them: read-only sheets trust the declared dimension."""
        rows_xml = b"<row>" + HEADER_XML + b'</row><row><c t="inlineStr"><is><t>U1</t></is></c>'
        rows_xml += b'<c t="inlineStr"><is><t>1.1</t></is></c><c/><c><v>1</v></c></row>'
        rows, problems = xlsx_scores(sheet_with(rows_xml, dimension="A1:B1"))
        assert not problems
        assert [(row.unit_code, row.criterion_code, row.final_score) for row in rows] == [
            ("U1", "1.1", 1)
        ]

    def test_an_empty_workbook_is_nothing_to_import(self) -> None:
        rows, problems = xlsx_scores(hostile.workbook({"long": [SCORES_HEADER]}))
        assert rows == []
        assert problem_list(problems) == [
            (["xlsx"], "no sheet holds rows of scores: nothing to import")
        ]
