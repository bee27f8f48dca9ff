"""Tables written as CSV and XLSX files, safe to open in Excel.

Every table declares the kind of each column. Text columns take `str` values and are neutralised
against formula injection; number columns take `Decimal`/`int` values, written as plain numbers
in CSV and as numeric cells in XLSX, and are never touched, so a penalty of -0.5 or a rank change
of -2 stays a number. A `str` in a number column is a programming error (TypeError), which is
what guarantees that no text reaches a file without neutralisation.
"""

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from app.schemas.base import format_index, format_mean, format_score

CellValue = str | int | Decimal | bool | None
ItemT = TypeVar("ItemT")

# What spreadsheet programs read as the start of a formula (OWASP "CSV injection"); the quote
# itself is included so that neutralising is reversible (see restore_text).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
SHEET_TITLE_MAX = 31
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


class CellKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    SCORE = "score"  # Decimal, two decimals or up to four where it has them; XLSX 0.00##
    INDEX = "index"  # Decimal, two decimals (indices and percentages); XLSX format 0.00
    MEAN = "mean"  # Decimal, four decimals (group means and gaps to them); XLSX 0.0000
    FLAG = "flag"


TEXT, INTEGER, SCORE, INDEX, MEAN, FLAG = (
    CellKind.TEXT,
    CellKind.INTEGER,
    CellKind.SCORE,
    CellKind.INDEX,
    CellKind.MEAN,
    CellKind.FLAG,
)
# The same forms as the JSON responses (app/schemas/base.py).
XLSX_NUMBER_FORMATS = {SCORE: "0.00##", INDEX: "0.00", MEAN: "0.0000"}
CSV_NUMBER_FORMATS = {SCORE: format_score, INDEX: format_index, MEAN: format_mean}


@dataclass(frozen=True)
class Column:
    header: str
    kind: CellKind = TEXT


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]


# A table's columns, each with how to read its cell from one item (entry, node, leaf …).
Spec = Sequence[tuple[Column, Callable[[ItemT], CellValue]]]


class AboutItem(NamedTuple):
    field: str
    value: CellValue
    kind: CellKind = TEXT


@dataclass(frozen=True)
class ExportDocument:
    """What one export holds: the CSV table, the XLSX sheets and the `about` facts."""

    kind: str
    year: int
    subject: str
    requested_revision: int | None
    csv_table: Table
    sheets: tuple[Table, ...]
    about: tuple[AboutItem, ...]

    def filename(self, extension: str) -> str:
        """kind_year_subject_revN.ext, `rev-latest` when no revision was asked for."""
        revision = (
            f"rev{self.requested_revision}" if self.requested_revision is not None else "rev-latest"
        )
        stem = "_".join((self.kind, str(self.year), self.subject, revision))
        # Codes are already [A-Za-z0-9._-]; anything else would break the header's quoting.
        return f"{UNSAFE_IN_FILENAME.sub('-', stem)}.{extension}"


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (=, +, -, @, tab, CR).

    Text that already starts with a quote gets one more, so restore_text() undoes this exactly.
    """
    if text.startswith((*FORMULA_PREFIXES, QUOTE)):
        return QUOTE + text
    return text


def restore_text(text: str) -> str:
    """The original text of a neutralised cell (for importing an export)."""
    return text[1:] if text.startswith(QUOTE) else text


def _checked(value: CellValue, kind: CellKind) -> CellValue:
    """The value if it matches its column's kind; a number column never takes text."""
    expected: tuple[type, ...] = {
        TEXT: (str,),
        INTEGER: (int,),
        SCORE: (Decimal,),
        INDEX: (Decimal,),
        MEAN: (Decimal,),
        FLAG: (bool,),
    }[kind]
    wrong_bool = isinstance(value, bool) and kind is not FLAG
    if value is not None and (wrong_bool or not isinstance(value, expected)):
        raise TypeError(f"{type(value).__name__} value {value!r} in a {kind} column")
    return value


def csv_cell(value: CellValue, kind: CellKind) -> str:
    """A cell as CSV text: empty for null, numbers in plain notation, text neutralised."""
    value = _checked(value, kind)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, Decimal):
        return CSV_NUMBER_FORMATS[kind](value)
    return str(value)


def write_csv(table: Table, *, bom: bool = False) -> bytes:
    """UTF-8 CSV, comma separated, CRLF line ends; a BOM lets Excel read Vietnamese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(column.header) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def _xlsx_cell(sheet: Any, value: CellValue, kind: CellKind) -> WriteOnlyCell:
    value = _checked(value, kind)
    if isinstance(value, str):
        # Characters XML cannot hold are dropped; neutralised text is stored as a string, so
        # openpyxl never turns it into a formula.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
        cell.data_type = "s"
        return cell
    if isinstance(value, Decimal):
        # Plain notation: NUMERIC columns can come back as e.g. Decimal('0E-4').
        cell = WriteOnlyCell(sheet, value=Decimal(CSV_NUMBER_FORMATS[kind](value)))
        cell.number_format = XLSX_NUMBER_FORMATS[kind]
        return cell
    return WriteOnlyCell(sheet, value=value)


def sheet_title(name: str, taken: set[str]) -> str:
    """At most 31 characters and unique ignoring case, as Excel requires."""
    title = name[:SHEET_TITLE_MAX]
    number = 1
    while title.lower() in taken:
        number += 1
        suffix = f"~{number}"
        title = name[: SHEET_TITLE_MAX - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _column_width(table: Table, position: int) -> float:
    longest = max(
        (len(csv_cell(row[position], table.columns[position].kind)) for row in table.rows),
        default=0,
    )
    return float(min(max(longest, len(table.columns[position].header)) + 2, 60))


def write_xlsx(document: ExportDocument, *, generated_at: datetime) -> bytes:
    """One sheet per table (header row frozen), then `about`; numbers as numeric cells."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for table in document.sheets:
        sheet = workbook.create_sheet(sheet_title(table.name, taken))
        sheet.freeze_panes = "A2"
        for position in range(len(table.columns)):
            width = _column_width(table, position)
            sheet.column_dimensions[get_column_letter(position + 1)].width = width
        sheet.append([_xlsx_cell(sheet, c.header, TEXT) for c in table.columns])
        for row in table.rows:
            sheet.append(
                [_xlsx_cell(sheet, v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            )
    about = workbook.create_sheet(sheet_title("about", taken))
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    items = (*document.about, AboutItem("generated_at", generated_at.isoformat()))
    for item in items:
        about.append(
            [
                _xlsx_cell(about, item.field, TEXT),
                _xlsx_cell(about, item.value, item.kind),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
