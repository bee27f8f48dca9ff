"""Reading import files (CSV, XLSX, JSON) into raw rows, streamed, every problem with its place.

Nothing here knows the database: readers turn bytes into rows of text and numbers and log what
they cannot read (encoding, headers, structure) as problems at [sheet, row, column], the row
numbered as a spreadsheet shows it (header = row 1). The sheet of a CSV file is "csv", of a JSON
file "json", where a row is the item's position in the list, from 1.
"""

import codecs
import csv
import io
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import PurePath
from typing import IO, Any, NamedTuple
from zipfile import BadZipFile

from openpyxl import load_workbook

from app.core.errors import Problem, ServiceError
from app.services.exports.files import restore_text
from app.services.imports.parsing import json_stream

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
CHUNK_BYTES = 1 << 20
PROBLEM_LIMIT = 1000
SCORE_DECIMALS = 4
NOTE_MAX_CHARS = 2000
# Sheets the exporter writes next to the score sheets; an import skips them.
IGNORED_SHEETS = frozenset({"about", "criteria"})
LONG_SHEET = "long"

Cell = str | int | float | Decimal | bool | None
Progress = Callable[[int], None]
# Maps a location in the body built from a file back to [sheet, row, column].
Locator = Callable[[list[str | int]], list[str | int]]
# (sheet, row, unit_code, criterion_code, self_score, final_score, note, group of a wide sheet)
RawScore = tuple[str, int, str, str, Cell, Cell, str | None, str | None]

SCORE_COLUMNS = ("unit_code", "criterion_code", "self_score", "final_score")
PUBLISHED_COLUMNS = ("unit_code", "source")
PUBLISHED_OPTIONAL = ("index_value", "published_rank", "published_position", "band_vi", "note")
CRITERIA_COLUMNS = ("code", "name_vi", "name_en", "max_score")
# `group` and `parent_code` are what the exporter's criteria sheet adds; `parent_code` follows
# from the code, so it is read past.
CRITERIA_OPTIONAL = ("method", "group", "parent_code")
BAND_COLUMNS = ("label_vi", "label_en", "min_index")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_STEP = Decimal(1).scaleb(-SCORE_DECIMALS)
_ZERO = Decimal(0)


class UnsupportedMediaType(ServiceError):
    status = 415
    title = "Unsupported file type"
    slug = "unsupported-media-type"


class PayloadTooLarge(ServiceError):
    status = 413
    title = "File too large"
    slug = "payload-too-large"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


_BY_SUFFIX = {".csv": FileFormat.CSV, ".xlsx": FileFormat.XLSX, ".json": FileFormat.JSON}
# Suffixes that say nothing about the layout: the content decides.
_NEUTRAL_SUFFIXES = frozenset({"", ".txt"})
_BY_MEDIA_TYPE = {
    "text/csv": FileFormat.CSV,
    "application/csv": FileFormat.CSV,
    "application/json": FileFormat.JSON,
    "text/json": FileFormat.JSON,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileFormat.XLSX,
}


def detect_format(*, file_name: str, content_type: str | None, head: bytes) -> FileFormat:
    """The file's format from its name, its declared type and its first bytes, which must agree.

    A zip archive is an XLSX workbook; text starting with `{` or `[` is JSON, other text CSV.
    A name or type that claims one format for content of another is refused, and so is any
    other binary content (an old .xls, a PDF, UTF-16 text).
    """
    suffix = PurePath(file_name).suffix.lower()
    by_name = _BY_SUFFIX.get(suffix)
    if by_name is None and suffix not in _NEUTRAL_SUFFIXES:
        hint = " (save an .xls workbook as .xlsx)" if suffix == ".xls" else ""
        raise UnsupportedMediaType(
            f"Files named {suffix!r} cannot be imported; send .csv, .xlsx or .json{hint}."
        )
    media_type = (content_type or "").partition(";")[0].strip().lower()
    claimed = by_name or _BY_MEDIA_TYPE.get(media_type)
    sniffed = _sniff(head)
    if sniffed is FileFormat.XLSX or claimed is FileFormat.XLSX:
        if sniffed is claimed or claimed is None:
            return FileFormat.XLSX
        hint = " (an old .xls? save it as .xlsx)" if head.startswith(OLE_MAGIC) else ""
        raise UnsupportedMediaType(
            f"The file is declared as {claimed or 'text'} but its content is "
            f"{sniffed or 'not an XLSX workbook'}{hint}."
        )
    if sniffed is None:
        raise UnsupportedMediaType(
            "The file is neither CSV, XLSX nor JSON (UTF-16 text? save it as CSV UTF-8)."
        )
    return claimed or sniffed


def _sniff(head: bytes) -> FileFormat | None:
    if head.startswith(ZIP_MAGIC):
        return FileFormat.XLSX
    if not head or b"\x00" in head or head.startswith(OLE_MAGIC):
        return None
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return FileFormat.JSON if text[:1] in (b"{", b"[") else FileFormat.CSV


class ProblemLog:
    """Problems found so far: the first `limit` in file order kept with their location, the
    rest counted.

    A problem is placed at `position`, which a reader or checker advances as it goes; one found
    later (in SQL, after the whole file was read) is placed with `add_at` where its row was, ahead
    of anything logged at that position as it went, so the list reads in file order either way.
    """

    def __init__(self, limit: int = PROBLEM_LIMIT) -> None:
        self.limit = limit
        self.items: list[Problem] = []
        self.total = 0
        self.position = 0
        self._keys: list[tuple[int, int]] = []

    def add(self, loc: Sequence[str | int | None], msg: str) -> None:
        self.total += 1
        self._keep((self.position, self.total), loc, msg)

    def add_at(self, position: int, loc: Sequence[str | int | None], msg: str) -> None:
        self.total += 1
        self._keep((position, 0), loc, msg)

    def count_more(self, count: int) -> None:
        """Problems found past the kept ones, counted only."""
        self.total += count

    def _keep(self, key: tuple[int, int], loc: Sequence[str | int | None], msg: str) -> None:
        keys = self._keys
        if len(keys) >= self.limit and key >= keys[-1]:
            return
        index = bisect_right(keys, key)
        keys.insert(index, key)
        self.items.insert(index, Problem([part for part in loc if part is not None], msg))
        if len(keys) > self.limit:
            keys.pop()
            self.items.pop()

    @property
    def omitted(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


class BadCell(NamedTuple):
    """A cell that is not a valid score, and why."""

    msg: str


def parse_score(cell: Cell) -> Decimal | BadCell | None:
    """A score cell as an exact Decimal; empty is None.

    Text takes a decimal point or a Vietnamese decimal comma ("1,25"); spreadsheet numbers are
    read through their shortest repr, so 1.25 stays 1.25. A score is at least 0 and has at most
    four decimals (trailing zeros do not count).
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        return BadCell(f"{cell} is not a number")
    if isinstance(cell, str):
        text = cell.strip()
        if not text:
            return None
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        if not _NUMBER.fullmatch(text):
            return BadCell(f"{cell.strip()!r} is not a number")
        value = Decimal(text)
    elif isinstance(cell, float):
        value = Decimal(repr(cell))
    else:
        value = Decimal(cell)
    if not value.is_finite():
        return BadCell(f"{cell} is not a number")
    if value < 0:
        return BadCell(f"{_plain(value)} is below 0")
    if value.as_tuple().exponent < -SCORE_DECIMALS:  # type: ignore[operator]
        try:
            if value != value.quantize(_STEP):
                return BadCell(f"{_plain(value)} has more than {SCORE_DECIMALS} decimals")
        except InvalidOperation:
            return BadCell(f"{_plain(value)} is too large")
    return _ZERO if value == 0 else value


def _plain(value: Decimal) -> str:
    return format(value, "f")


def cell_text(value: Cell) -> str:
    """A code or label cell as text; spreadsheets turn typed codes like 1.1 into numbers."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def note_text(value: Cell) -> str | None:
    """A note cell: empty is None; a spreadsheet export's formula guard is undone."""
    text = cell_text(value)
    return restore_text(text) if text else None


def header_key(value: Cell) -> str:
    """Header names ignore case and spacing: 'Unit code' is `unit_code`."""
    return "_".join(cell_text(value).lower().split())


def column_positions(
    header: Sequence[Cell],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet: str,
    problems: ProblemLog,
) -> dict[str, int] | None:
    """Where each known column is; None (with the problems logged) if a required one is missing."""
    positions: dict[str, int] = {}
    known = (*required, *optional)
    for position, cell in enumerate(header):
        key = header_key(cell)
        if not key:
            continue
        if key not in known:
            problems.add(
                [sheet, 1, cell_text(cell)],
                f"unknown column {cell_text(cell)!r}; the columns are {', '.join(known)}",
            )
        elif key in positions:
            problems.add([sheet, 1, key], f"column {key!r} appears twice")
        else:
            positions[key] = position
    missing = [name for name in required if name not in positions]
    if missing:
        problems.add([sheet, 1], f"missing column(s): {', '.join(missing)}")
        return None
    return positions


# --- CSV ---------------------------------------------------------------------------------------


def _text_lines(
    binary: IO[bytes], *, sheet: str, problems: ProblemLog, progress: Progress | None
) -> Iterator[str]:
    """UTF-8 text lines (with a BOM or not) read in chunks; bad bytes end the file as a problem."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    consumed = newlines = 0
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
                f"wrong encoding: expected UTF-8 (byte 0x{error.object[error.start]:02x} at "
                f"byte offset {consumed - held + error.start}, line {line}); "
                "save the file as CSV UTF-8",
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
            yield line_text + "\n"
        if not chunk:
            break
    if pending:
        yield pending


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
            problems.add([sheet, 1], "the first line should be the header row")
        return None, iter(())
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    header = next(reader, [])

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                if cells:
                    yield number, cells
        except csv.Error as error:
            problems.add([sheet, number + 1], f"unreadable CSV: {error}")

    return header, rows()


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def read_scores_csv(
    binary: IO[bytes], *, problems: ProblemLog, progress: Progress | None = None
) -> Iterator[RawScore]:
    """Rows of the long layout: unit_code, criterion_code, self_score, final_score[, note]."""
    sheet = "csv"
    header, rows = csv_table(binary, sheet=sheet, problems=problems, progress=progress)
    if header is None:
        return
    positions = column_positions(
        header, required=SCORE_COLUMNS, optional=("note",), sheet=sheet, problems=problems
    )
    if positions is None:
        return
    unit_at, criterion_at = positions["unit_code"], positions["criterion_code"]
    self_at, final_at = positions["self_score"], positions["final_score"]
    note_at = positions.get("note")
    width = len(header)
    for number, cells in rows:
        if len(cells) != width:
            fitted = _fit(cells, width, sheet=sheet, number=number, problems=problems)
            if fitted is None:
                continue
            cells = fitted
        unit_code = cells[unit_at].strip()
        criterion_code = cells[criterion_at].strip()
        if not unit_code and not criterion_code and not any(cell.strip() for cell in cells):
            continue
        note = cells[note_at].strip() if note_at is not None else ""
        yield (
            sheet,
            number,
            unit_code,
            criterion_code,
            cells[self_at],
            cells[final_at],
            restore_text(note) if note else None,
            None,
        )


def _fit(
    cells: list[str], width: int, *, sheet: str, number: int, problems: ProblemLog
) -> list[str] | None:
    """Pad a short row; a long one is fine only if the extra cells are empty."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if any(cell.strip() for cell in cells[width:]):
        problems.add([sheet, number], f"the row has {len(cells)} cells but the header {width}")
        return None
    return cells[:width]


# --- XLSX --------------------------------------------------------------------------------------


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
    binary: IO[bytes], *, problems: ProblemLog, progress: Progress | None = None
) -> Iterator[tuple[str, Iterator[tuple[Cell, ...]]]]:
    """(title, rows) of each sheet, streamed (read-only, cached formula values)."""
    source: IO[bytes] = _ProgressReader(binary, progress) if progress else binary  # type: ignore[assignment]
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as error:
        problems.add(["xlsx"], f"not a readable XLSX workbook: {error}")
        return
    try:
        for sheet in workbook.worksheets:
            yield sheet.title, sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_scores_xlsx(
    binary: IO[bytes], *, problems: ProblemLog, progress: Progress | None = None
) -> Iterator[RawScore]:
    """Score sheets of a workbook: per group a wide sheet and/or one `long` sheet.

    A wide sheet is named by the group code; its first row is `unit_code` and then leaf codes,
    and each row holds one unit's final scores (an empty cell: no score for that leaf). The
    `long` sheet has the CSV columns. Sheets `about` and `criteria` are skipped.
    """
    for title, rows in xlsx_sheets(binary, problems=problems, progress=progress):
        name = title.strip()
        if name.lower() in IGNORED_SHEETS:
            continue
        if name.lower() == LONG_SHEET:
            yield from _long_sheet(title, rows, problems)
        else:
            yield from _wide_sheet(title, name, rows, problems)


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
        if all(_blank(cell) for cell in cells):
            continue
        yield (
            title,
            number,
            cell_text(_at(cells, unit_at)),
            cell_text(_at(cells, criterion_at)),
            _at(cells, self_at),
            _at(cells, final_at),
            note_text(_at(cells, note_at)) if note_at is not None else None,
            None,
        )


def _wide_sheet(
    title: str, group: str, rows: Iterator[tuple[Cell, ...]], problems: ProblemLog
) -> Iterator[RawScore]:
    header = next(rows, ())
    if not header or header_key(header[0]) != "unit_code":
        problems.add(
            [title, 1],
            f"sheet {title!r} should start with a `unit_code` column followed by leaf codes "
            "(or be named `long`, `about` or `criteria`)",
        )
        return
    codes = [(position, cell_text(cell)) for position, cell in enumerate(header) if position]
    codes = [(position, code) for position, code in codes if code]
    for number, cells in enumerate(rows, start=2):
        unit_code = cell_text(_at(cells, 0))
        scored = [
            (code, value) for position, code in codes if not _blank(value := _at(cells, position))
        ]
        if not scored:
            if unit_code:
                problems.add([title, number, "unit_code"], f"unit {unit_code!r} has no scores")
            continue
        for code, value in scored:
            yield (title, number, unit_code, code, None, value, None, group)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _at(cells: Sequence[Cell], position: int | None) -> Cell:
    if position is None or position >= len(cells):
        return None
    return cells[position]


# --- JSON --------------------------------------------------------------------------------------


def read_json(binary: IO[bytes], *, problems: ProblemLog) -> Any:
    """The whole document with exact decimals, or None with the problem logged; for the small
    criteria and published-results files (scores stream through `json_stream`)."""
    data = binary.read()
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = len(data) - len(body) + error.start
        line = body.count(b"\n", 0, error.start) + 1
        problems.add(
            ["json", line],
            f"wrong encoding: expected UTF-8 (byte 0x{body[error.start]:02x} at byte offset "
            f"{offset}, line {line})",
        )
        return None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        problems.add(["json", error.lineno], f"not valid JSON: {error.msg} (column {error.colno})")
        return None


def json_items(
    document: Any, *, key: str, columns: Iterable[str], problems: ProblemLog
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position from 1, object) of `{key: [...]}` or of a bare list; strange items are problems."""
    items = document.get(key) if isinstance(document, dict) else document
    if not isinstance(items, list):
        problems.add(["json"], f"expected a list of rows or an object with a {key!r} list")
        return
    yield from _numbered_objects(items, columns=columns, problems=problems)


def _numbered_objects(
    items: Iterable[Any], *, columns: Iterable[str], problems: ProblemLog
) -> Iterator[tuple[int, dict[str, Any]]]:
    known = set(columns)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add(["json", number], "each row must be an object")
            continue
        for unknown in sorted(set(item) - known):
            problems.add(["json", number, unknown], f"unknown field {unknown!r}")
        yield number, item


def read_scores_json(
    binary: IO[bytes], *, problems: ProblemLog, progress: Progress | None = None
) -> Iterator[RawScore]:
    """`{"scores": [{unit_code, criterion_code, self_score, final_score, note}, ...]}` or a list,
    streamed: one row in memory at a time."""
    rows = json_stream.json_rows(binary, key="scores", progress=progress)
    try:
        yield from _score_items(rows, problems=problems)
    except json_stream.UnreadableJson as error:
        problems.add(["json", error.line], error.msg)


def _score_items(rows: Iterator[Any], *, problems: ProblemLog) -> Iterator[RawScore]:
    columns = (*SCORE_COLUMNS, "note")
    for number, item in _numbered_objects(rows, columns=columns, problems=problems):
        codes = []
        for column in ("unit_code", "criterion_code"):
            value = item.get(column)
            if value is not None and not isinstance(value, str):
                problems.add(["json", number, column], f"{column} must be text")
                value = None
            codes.append((value or "").strip())
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            problems.add(["json", number, "note"], "note must be text")
            note = None
        yield (
            "json",
            number,
            codes[0],
            codes[1],
            item.get("self_score"),
            item.get("final_score"),
            (note.strip() or None) if note else None,
            None,
        )


# --- Criteria and published results --------------------------------------------------------


class TableRow(NamedTuple):
    """A row of a small table (criteria, bands, published results) by column name."""

    sheet: str
    number: int
    values: dict[str, Cell]


def table_rows(
    header: Sequence[Cell],
    rows: Iterable[tuple[int, Sequence[Cell]]],
    *,
    sheet: str,
    required: Sequence[str],
    optional: Sequence[str],
    problems: ProblemLog,
) -> list[TableRow]:
    positions = column_positions(
        header, required=required, optional=optional, sheet=sheet, problems=problems
    )
    if positions is None:
        return []
    table = []
    for number, cells in rows:
        values = {
            name: None if _blank(value := _at(cells, position)) else value
            for name, position in positions.items()
        }
        if any(value is not None for value in values.values()):
            table.append(TableRow(sheet, number, values))
    return table


def read_published(
    binary: IO[bytes], file_format: FileFormat, *, problems: ProblemLog
) -> list[TableRow]:
    """Rows of unit_code, index_value, published_rank, published_position, band_vi, source, note."""
    if file_format is FileFormat.JSON:
        document = read_json(binary, problems=problems)
        if document is None:
            return []
        columns = (*PUBLISHED_COLUMNS, *PUBLISHED_OPTIONAL)
        return [
            TableRow("json", number, item)
            for number, item in json_items(
                document, key="published_results", columns=columns, problems=problems
            )
        ]
    if file_format is FileFormat.CSV:
        header, rows = csv_table(binary, sheet="csv", problems=problems)
        if header is None:
            return []
        stripped = ((n, [cell.strip() for cell in cells]) for n, cells in rows)
        return table_rows(
            header,
            stripped,
            sheet="csv",
            required=PUBLISHED_COLUMNS,
            optional=PUBLISHED_OPTIONAL,
            problems=problems,
        )
    raise UnsupportedMediaType("Published results are imported from CSV or JSON.")


class CriteriaSheets(NamedTuple):
    criteria: list[TableRow]
    bands: list[TableRow]


def read_criteria_xlsx(binary: IO[bytes], *, problems: ProblemLog) -> CriteriaSheets:
    """Sheet `criteria` (code, name_vi, name_en, max_score, method) and optional sheet `bands`."""
    criteria: list[TableRow] = []
    bands: list[TableRow] = []
    found = False
    for title, rows in xlsx_sheets(binary, problems=problems):
        name = title.strip().lower()
        if name not in ("criteria", "bands"):
            continue
        header = next(rows, ())
        numbered = enumerate(rows, start=2)
        if name == "criteria":
            found = True
            criteria = table_rows(
                header,
                numbered,
                sheet=title,
                required=CRITERIA_COLUMNS,
                optional=CRITERIA_OPTIONAL,
                problems=problems,
            )
        else:
            bands = table_rows(
                header, numbered, sheet=title, required=BAND_COLUMNS, optional=(), problems=problems
            )
    if not found and not problems:
        problems.add(["xlsx"], "the workbook has no sheet named `criteria`")
    return CriteriaSheets(criteria, bands)


def read_criteria(
    binary: IO[bytes], file_format: FileFormat, *, group: str, problems: ProblemLog
) -> tuple[dict[str, Any], Locator]:
    """A CriteriaSetPut body from the file, and where each of its list items came from.

    JSON is the PUT body itself. XLSX has a `criteria` sheet (rows of other groups skipped
    when it has a `group` column, as in the exporter's workbook) and an optional `bands` sheet.
    """
    if file_format is FileFormat.JSON:
        document = read_json(binary, problems=problems)
        if not isinstance(document, dict):
            if document is not None:
                problems.add(["json"], "expected the criteria set as an object")
            return {}, lambda loc: ["json", *loc]
        document.pop("correction_reason", None)
        return document, lambda loc: ["json", *loc]
    sheets = read_criteria_xlsx(binary, problems=problems)
    criteria_rows = [
        row
        for row in sheets.criteria
        if row.values.get("group") is None or cell_text(row.values["group"]) == group
    ]
    if sheets.criteria and not criteria_rows:
        problems.add([sheets.criteria[0].sheet], f"no criteria rows for group {group!r}")
    body = {
        "criteria": [_criterion_body(row, problems) for row in criteria_rows],
        "bands": [_band_body(row, problems) for row in sheets.bands],
    }
    places = {"criteria": criteria_rows, "bands": sheets.bands}

    def where(loc: list[str | int]) -> list[str | int]:
        if len(loc) >= 2 and isinstance(loc[1], int) and loc[0] in places:
            row = places[str(loc[0])][loc[1]]
            return [row.sheet, row.number, *loc[2:]]
        return ["xlsx", *loc]

    return body, where


def _number(row: TableRow, column: str, problems: ProblemLog) -> Decimal | None:
    value = parse_score(row.values.get(column))
    if isinstance(value, BadCell):
        problems.add([row.sheet, row.number, column], value.msg)
        return None
    return value


def _criterion_body(row: TableRow, problems: ProblemLog) -> dict[str, Any]:
    method = cell_text(row.values.get("method")).lower()
    return {
        "code": cell_text(row.values.get("code")),
        "name_vi": cell_text(row.values.get("name_vi")),
        "name_en": cell_text(row.values.get("name_en")),
        "max_score": _number(row, "max_score", problems),
        "method": method or None,
    }


def _band_body(row: TableRow, problems: ProblemLog) -> dict[str, Any]:
    return {
        "label_vi": cell_text(row.values.get("label_vi")),
        "label_en": cell_text(row.values.get("label_en")),
        "min_index": _number(row, "min_index", problems),
    }
