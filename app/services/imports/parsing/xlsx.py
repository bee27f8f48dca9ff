"""XLSX import files: sheets streamed read-only, score sheets in the wide or the long layout."""

import io
import zlib
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

from openpyxl import load_workbook

from app.core.messages import message
from app.services.exports.score_sheets import read_sheet_title
from app.services.imports.parsing.archive import SHEET, check_archive
from app.services.imports.parsing.cells import (
    SCORE_COLUMNS,
    Cell,
    RawScore,
    cell_at,
    cell_text,
    column_positions,
    is_blank,
    note_text,
)
from app.services.imports.parsing.files import Progress
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import ProblemLog
from app.services.imports.parsing.sheet_header import label_key
from app.services.imports.parsing.wide_sheet import WideSheetChecks, wide_sheet

# Sheets the exporter and the template write next to the score sheets (as `label_key` folds
# their titles); an import skips them.
IGNORED_SHEETS = frozenset({"about", "criteria", "huong dan", "instructions"})
LONG_SHEET = "long"
# What openpyxl raises on a damaged or hostile workbook, while opening it or reading its rows:
# broken XML, cells it cannot convert, parts zipfile cannot unpack.
UNREADABLE = (
    BadZipFile,
    ParseError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    OverflowError,
    OSError,
    EOFError,
    RuntimeError,
    zlib.error,
)


class SheetRefused(Exception):
    """Raised by a sheet's rows after logging the problem that ends them, so that a reader
    skips the rest of the sheet instead of reporting what is missing from it."""


class _ProgressReader(io.RawIOBase):
    """A binary file that reports the furthest position read (zip reading jumps about)."""

    def __init__(self, raw: IO[bytes], progress: Progress) -> None:
        super().__init__()
        self.raw = raw
        self.progress = progress
        self.furthest = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def read(self, size: int | None = -1) -> bytes:
        data = self.raw.read(-1 if size is None else size)
        position = self.raw.tell()
        if position > self.furthest:
            self.furthest = position
            self.progress(position)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def xlsx_sheets(
    binary: IO[bytes],
    *,
    problems: ProblemLog,
    progress: Progress | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[tuple[str, Iterator[tuple[Cell, ...]]]]:
    """(title, rows) of each sheet, streamed (read-only, cached formula values); the archive is
    checked first (`archive.check_archive`) and rows and columns are bounded."""
    if not check_archive(binary, limits=limits, problems=problems):
        return
    source: IO[bytes] = _ProgressReader(binary, progress) if progress else binary  # type: ignore[assignment]
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except UNREADABLE as error:
        problems.add([SHEET], message("xlsx.unreadable", error=str(error)))
        return
    try:
        for sheet in workbook.worksheets:
            if _declared_size_passes(sheet, limits, problems):
                yield sheet.title, _bounded_rows(sheet, limits, problems)
    finally:
        workbook.close()


def _declared_size_passes(sheet: Any, limits: ReadLimits, problems: ProblemLog) -> bool:
    """Whether the sheet's declared dimension is within the limits. It is then forgotten:
    openpyxl would drop cells outside it and pad every row to its width."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    sheet.reset_dimensions()
    if rows <= limits.rows and columns <= limits.columns:
        return True
    problems.add(
        [sheet.title],
        message(
            "xlsx.declared-size",
            rows=rows,
            columns=columns,
            row_limit=limits.rows,
            column_limit=limits.columns,
        ),
    )
    return False


def _bounded_rows(
    sheet: Any, limits: ReadLimits, problems: ProblemLog
) -> Iterator[tuple[Cell, ...]]:
    """The sheet's rows, ending with a problem (and SheetRefused) at the first one past the
    limits or that openpyxl cannot read."""
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        number += 1
        try:
            cells = next(rows)
        except StopIteration:
            return
        except UNREADABLE as error:
            problems.add([sheet.title, number], message("xlsx.sheet-xml", error=str(error)))
            raise SheetRefused from None
        if number > limits.rows:
            problems.add([sheet.title, number], message("xlsx.rows", limit=limits.rows))
            raise SheetRefused
        if len(cells) > limits.columns:
            problems.add([sheet.title, number], message("xlsx.columns", limit=limits.columns))
            raise SheetRefused
        yield cells


def read_scores_xlsx(
    binary: IO[bytes],
    *,
    problems: ProblemLog,
    progress: Progress | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    checks: WideSheetChecks | None = None,
) -> Iterator[RawScore]:
    """Score sheets of a workbook: per group a wide sheet and/or one `long` sheet.

    A wide sheet is named after its group; each row below its header (`wide_sheet`) holds one
    unit's final scores, or its self-assessed ones where the title says so (`score_sheets`);
    an empty cell: no score for that leaf. The `long` sheet has the CSV columns. Sheets
    `about`, `criteria` and the instructions (`Hướng dẫn`) are skipped.
    """
    wide_checks = checks or WideSheetChecks()
    for title, rows in xlsx_sheets(binary, problems=problems, progress=progress, limits=limits):
        name = title.strip()
        if label_key(name) in IGNORED_SHEETS:
            continue
        try:
            if name.lower() == LONG_SHEET:
                yield from _long_sheet(title, rows, problems)
            else:
                group, scores = read_sheet_title(name)
                yield from wide_sheet(title, group, rows, problems, wide_checks, scores=scores)
        except SheetRefused:
            continue


def _long_sheet(
    title: str, rows: Iterator[tuple[Cell, ...]], problems: ProblemLog
) -> Iterator[RawScore]:
    header = next(rows, ())
    positions = column_positions(
        header, required=SCORE_COLUMNS, optional=("note",), sheet=title, problems=problems
    )
    if positions is None:
        return
    unit_at, criterion_at = positions["unit_code"], positions["criterion_code"]
    self_at, final_at = positions["self_score"], positions["final_score"]
    note_at = positions.get("note")
    for number, cells in enumerate(rows, start=2):
        if all(is_blank(cell) for cell in cells):
            continue
        yield RawScore(
            title,
            number,
            cell_text(cell_at(cells, unit_at)),
            cell_text(cell_at(cells, criterion_at)),
            cell_at(cells, self_at),
            cell_at(cells, final_at),
            note_text(cell_at(cells, note_at)) if note_at is not None else None,
            None,
        )
