"""Hostile import files: each refused with a located problem, in bounded time and memory.

JSON numbers the parser cannot survive, and nesting past any sane depth.
"""

import io
import json
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.services.imports.parsing import FileFormat, read_criteria, read_published, read_scores
from app.services.imports.parsing.cells import parse_score
from app.services.imports.parsing.json_guard import MAX_DEPTH, JsonGuard
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import BadCell, ProblemLog
from tests import hostile_files as hostile

MiB = 1 << 20


def problem_list(problems: ProblemLog) -> list[tuple[list[str | int], str]]:
    return [(list(problem.loc), problem.msg) for problem in problems.items]


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


def reference_check(data: bytes, *, max_digits: int, max_depth: int) -> tuple[int, str] | None:
    """The guard's rule one byte at a time, from a fresh state: what any chunking must find."""
    guard = JsonGuard(max_digits=max_digits, max_depth=max_depth)
    return guard._locate(data)


class TestJsonGuard:
    def test_an_integer_past_the_limit_is_refused_at_its_first_extra_digit(self) -> None:
        assert JsonGuard(max_digits=5).check(b"[123456]") == (6, "a number with more than 5 digits")
        assert JsonGuard(max_digits=5).check(b"[12345, 1.12345e12345]") is None

    def test_nesting_past_the_limit_is_refused_where_it_opens(self) -> None:
        guard = JsonGuard(max_digits=5, max_depth=3)
        assert guard.check(b'{"a": [[1]], "b": [[[') == (20, "nested more than 3 levels deep")

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
            expected = reference_check(data, max_digits=3, max_depth=2)
            guard = JsonGuard(max_digits=3, max_depth=2)
            cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, 3)))
            found, start = None, 0
            for cut in [*cuts, len(data)]:
                refused = guard.check(data[start:cut])
                if refused is not None:
                    found = (start + refused[0], refused[1])
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
        assert parse_score([[1]]) == BadCell("expected a number, not a list")  # type: ignore[arg-type]
        assert parse_score({"a": 1}) == BadCell("expected a number, not a object")  # type: ignore[arg-type]


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
