"""Hostile import files: how long the readers take to refuse each, and their memory at the peak.

Run from the project root:

    .venv/bin/python bench/hostile_imports.py

Each file is built by `tests.hostile_files` and read through the import readers in process
(what the API and `par-index import` run in a worker thread), under tracemalloc. Then what the
guards cost valid files: the archive check of a 1M-cell workbook, the JSON guard over 200,000
score rows. It asserts nothing (tests/unit/test_hostile_import_files.py does, with generous
bounds); see bench/README.md.
"""

from __future__ import annotations

import io
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook

from app.services.imports.parsing import (
    FileFormat,
    read_criteria,
    read_published,
    read_scores,
)
from app.services.imports.parsing.archive import check_archive
from app.services.imports.parsing.json_guard import JsonGuard
from app.services.imports.parsing.limits import DEFAULT_LIMITS
from app.services.imports.parsing.problems import ProblemLog
from tests import hostile_files as hostile

MiB = 1 << 20


def scores(file_format: FileFormat) -> Callable[[bytes, ProblemLog], Any]:
    def read(content: bytes, problems: ProblemLog) -> Any:
        source = io.BytesIO(content)
        return list(read_scores(source, file_format, problems=problems, progress=None))

    return read


def published(content: bytes, problems: ProblemLog) -> Any:
    return read_published(io.BytesIO(content), FileFormat.JSON, problems=problems)


def criteria(content: bytes, problems: ProblemLog) -> Any:
    source = io.BytesIO(content)
    return read_criteria(source, FileFormat.JSON, group="department", problems=problems)


def cases() -> list[tuple[str, bytes, Callable[[bytes, ProblemLog], Any]]]:
    header = b"unit_code,criterion_code,self_score,final_score\n"
    long_rows = [["unit_code", "criterion_code", "self_score", "final_score"], ["U1", "1.1", 1, 1]]
    sheet = hostile.workbook({"long": long_rows})
    strings = hostile.shared_strings_with_doctype(hostile.billion_laughs(), "&lol9;")
    return [
        (
            "JSON scores, a 4,301-digit number",
            hostile.long_number_json(4301),
            scores(FileFormat.JSON),
        ),
        (
            "JSON scores, nested 100,000 deep",
            hostile.deep_json("scores", 100_000),
            scores(FileFormat.JSON),
        ),
        (
            "JSON published, nested 100,000 deep",
            hostile.deep_json("published_results", 100_000),
            published,
        ),
        ("JSON criteria, nested 100,000 deep", hostile.deep_json("criteria", 100_000), criteria),
        (
            "CSV, a 20 MiB line",
            header + b"U1,1.1,," + b"9" * (20 * MiB) + b"\n",
            scores(FileFormat.CSV),
        ),
        (
            "XLSX, billion laughs",
            hostile.with_shared_strings(sheet, strings),
            scores(FileFormat.XLSX),
        ),
        ("XLSX, zip bomb of 2 GiB", hostile.zip_bomb_xlsx(2 << 30), scores(FileFormat.XLSX)),
        ("XLSX, one row of 64 MiB", hostile.zip_bomb_xlsx(64 * MiB), scores(FileFormat.XLSX)),
        ("XLSX, one row of 1,000,000 cells", wide_row(1_000_000), scores(FileFormat.XLSX)),
    ]


def wide_row(cells: int) -> bytes:
    """A sheet whose first row has `cells` different numbers: no zip bomb (it compresses about
    5 times), but openpyxl would hold the whole row, at some 30 bytes per byte of XML."""
    row = b"".join(b"<c><v>%d</v></c>" % number for number in range(cells))
    sheet = hostile.workbook({"long": [["unit_code"]]})
    return hostile.with_parts(
        sheet, {hostile.SHEET_PART: hostile.sheet_xml(b"<row>" + row + b"</row>")}
    )


def measure(read: Callable[[bytes, ProblemLog], Any], content: bytes) -> tuple[float, float, str]:
    problems = ProblemLog()
    tracemalloc.start()
    started = time.perf_counter()
    read(content, problems)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    first = problems.items[0] if problems.items else None
    outcome = f"{first.loc}: {first.msg}" if first else "read, no problem"
    return seconds, peak / MiB, outcome


def wide_workbook(units: int, leaves: int) -> bytes:
    """The bench/imports.py wide layout: a row of `leaves` scores per unit."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("department")
    sheet.append(["unit_code", *[f"1.{leaf}" for leaf in range(1, leaves + 1)]])
    for unit in range(units):
        sheet.append([f"IB-{unit:06d}", *[(unit * 7 + leaf) % 100 / 100 for leaf in range(leaves)]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def guard_costs() -> None:
    workbook = wide_workbook(10_000, 100)
    started = time.perf_counter()
    check_archive(io.BytesIO(workbook), limits=DEFAULT_LIMITS, problems=ProblemLog())
    print(
        f"archive check of a 1M-cell workbook ({len(workbook) / MiB:.1f} MiB): "
        f"{time.perf_counter() - started:.2f} s"
    )
    rows = [
        {"unit_code": f"IB-{n % 300:06d}", "criterion_code": f"1.{n % 100}", "final_score": 0.5}
        for n in range(200_000)
    ]
    document = json.dumps({"scores": rows}).encode()
    guard = JsonGuard(max_digits=DEFAULT_LIMITS.number_digits)
    started = time.perf_counter()
    for start in range(0, len(document), 1 << 16):
        guard.check(document[start : start + (1 << 16)])
    print(
        f"JSON guard over 200,000 rows ({len(document) / MiB:.1f} MiB, 64 KiB reads): "
        f"{time.perf_counter() - started:.2f} s"
    )


def main() -> None:
    print(f"{'case':<38} {'file':>10} {'seconds':>8} {'peak MiB':>9}  first problem")
    for label, content, read in cases():
        seconds, peak, outcome = measure(read, content)
        size = f"{len(content) / MiB:.2f} MiB" if len(content) > MiB else f"{len(content):,} B"
        print(f"{label:<38} {size:>10} {seconds:>8.3f} {peak:>9.1f}  {outcome[:90]}")
    guard_costs()


if __name__ == "__main__":
    main()
