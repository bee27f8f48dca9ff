"""CSV import files: UTF-8 text read in chunks, the delimiter guessed, rows numbered as shown."""

import codecs
import csv
from collections.abc import Iterator
from typing import IO

from app.core.messages import message
from app.services.exports.files import restore_text
from app.services.imports.parsing.cells import SCORE_COLUMNS, RawScore, column_positions
from app.services.imports.parsing.files import CHUNK_BYTES, Progress
from app.services.imports.parsing.problems import ProblemLog

SHEET = "csv"
# The csv module's own limit on a field (its default `field_size_limit`). A longer line is
# refused as it streams in, before it is held whole.
MAX_LINE_CHARS = 131_072


def _text_lines(
    binary: IO[bytes], *, sheet: str, problems: ProblemLog, progress: Progress | None
) -> Iterator[str]:
    """UTF-8 text lines (with a BOM or not) read in chunks; bad bytes or a line longer than
    MAX_LINE_CHARS end the file as a problem."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    consumed = newlines = 0
    number = 1  # of the line `pending` starts
    pending = ""
    first = True
    while True:
        chunk = binary.read(CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            # The decoder puts the tail it held back from the last chunk in front of this one.
            held = len(error.object) - len(chunk)
            line = newlines + error.object.count(b"\n", 0, error.start) + 1
            problems.add(
                [sheet, line],
                message(
                    "csv.encoding",
                    byte=f"0x{error.object[error.start]:02x}",
                    offset=consumed - held + error.start,
                    line=line,
                ),
            )
            return
        consumed += len(chunk)
        newlines += chunk.count(b"\n")
        if progress is not None and chunk:
            progress(consumed)
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        lines = (pending + text).split("\n")
        pending = lines.pop()
        for line_text in lines:
            if len(line_text) > MAX_LINE_CHARS:
                _line_too_long(sheet, number, problems)
                return
            yield line_text + "\n"
            number += 1
        if len(pending) > MAX_LINE_CHARS:
            _line_too_long(sheet, number, problems)
            return
        if not chunk:
            break
    if pending:
        yield pending


def _line_too_long(sheet: str, number: int, problems: ProblemLog) -> None:
    problems.add(
        [sheet, number],
        message("csv.long-line", line=number, limit=MAX_LINE_CHARS),
    )


def csv_table(
    binary: IO[bytes], *, sheet: str, problems: ProblemLog, progress: Progress | None = None
) -> tuple[list[str] | None, Iterator[tuple[int, list[str]]]]:
    """The header cells (None if unreadable) and an iterator of (row number, cells) for the rest.

    The delimiter is a comma or a semicolon, whichever the header line uses more; blank rows
    are skipped but still counted, so row numbers match the spreadsheet.
    """
    lines = _text_lines(binary, sheet=sheet, problems=problems, progress=progress)
    known = problems.total
    first = next(lines, "")
    if not first.strip():
        if problems.total == known:
            problems.add([sheet, 1], message("csv.no-header"))
        return None, iter(())
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as error:  # a quoted header cell running on past the field limit
        problems.add([sheet, 1], message("csv.unreadable-header", error=str(error)))
        return None, iter(())

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                if cells:
                    yield number, cells
        except csv.Error as error:
            problems.add([sheet, number + 1], message("csv.unreadable", error=str(error)))

    return header, rows()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def read_scores_csv(
    binary: IO[bytes], *, problems: ProblemLog, progress: Progress | None = None
) -> Iterator[RawScore]:
    """Rows of the long layout: unit_code, criterion_code, self_score, final_score[, note]."""
    header, rows = csv_table(binary, sheet=SHEET, problems=problems, progress=progress)
    if header is None:
        return
    positions = column_positions(
        header, required=SCORE_COLUMNS, optional=("note",), sheet=SHEET, problems=problems
    )
    if positions is None:
        return
    unit_at, criterion_at = positions["unit_code"], positions["criterion_code"]
    self_at, final_at = positions["self_score"], positions["final_score"]
    note_at = positions.get("note")
    width = len(header)
    for number, cells in rows:
        if len(cells) != width:
            fitted = _fit(cells, width, number=number, problems=problems)
            if fitted is None:
                continue
            cells = fitted
        unit_code = cells[unit_at].strip()
        criterion_code = cells[criterion_at].strip()
        if not unit_code and not criterion_code and not any(cell.strip() for cell in cells):
            continue
        note = cells[note_at].strip() if note_at is not None else ""
        yield RawScore(
            SHEET,
            number,
            unit_code,
            criterion_code,
            cells[self_at],
            cells[final_at],
            restore_text(note) if note else None,
            None,
        )


def _fit(cells: list[str], width: int, *, number: int, problems: ProblemLog) -> list[str] | None:
    """Pad a short row; a long one is fine only if the extra cells are empty."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if any(cell.strip() for cell in cells[width:]):
        problems.add([SHEET, number], message("csv.row-width", cells=len(cells), width=width))
        return None
    return cells[:width]
