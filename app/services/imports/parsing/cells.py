"""Cells every format shares: scores as exact decimals, codes and notes as text, header rows."""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from app.core.messages import message
from app.services.exports.files import restore_text
from app.services.imports.parsing.problems import BadCell, ProblemLog

SCORE_DECIMALS = 4
NOTE_MAX_CHARS = 2000

Cell = str | int | float | Decimal | bool | None
# The columns of the long layout, in every format (`note` may follow).
SCORE_COLUMNS = ("unit_code", "criterion_code", "self_score", "final_score")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_STEP = Decimal(1).scaleb(-SCORE_DECIMALS)
_ZERO = Decimal(0)


class RawScore(NamedTuple):
    """One score as a reader found it, not yet checked: codes as text, scores as cells."""

    sheet: str
    row_number: int
    unit_code: str
    criterion_code: str
    self_score: Cell
    final_score: Cell
    note: str | None
    # The group a wide sheet is named after; None for a row of the long layout.
    sheet_group: str | None
    # A group sheet's unit given by its name only (unit_code is then empty).
    unit_name: str | None = None


def parse_score(cell: Cell) -> Decimal | BadCell | None:
    """A score cell as an exact Decimal; empty is None.

    Text takes a decimal point or a Vietnamese decimal comma ("1,25"); spreadsheet numbers are
    read through their shortest repr, so 1.25 stays 1.25. A score is at least 0 and has at most
    four decimals (trailing zeros do not count).
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        return BadCell(message("cell.not-a-number", value=cell))
    if not isinstance(cell, str | int | float | Decimal):  # a JSON list or object
        return BadCell(message("cell.list" if isinstance(cell, list) else "cell.object"))
    if isinstance(cell, str):
        text = cell.strip()
        if not text:
            return None
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        if not _NUMBER.fullmatch(text):
            return BadCell(message("cell.text-not-a-number", value=cell.strip()))
        value = Decimal(text)
    elif isinstance(cell, float):
        value = Decimal(repr(cell))
    else:
        value = Decimal(cell)
    if not value.is_finite():
        return BadCell(message("cell.not-a-number", value=cell))
    if value < 0:
        return BadCell(message("cell.negative", value=_plain(value)))
    if value.as_tuple().exponent < -SCORE_DECIMALS:  # type: ignore[operator]
        try:
            if value != value.quantize(_STEP):
                return BadCell(message("cell.decimals", value=_plain(value), places=SCORE_DECIMALS))
        except InvalidOperation:
            return BadCell(message("cell.too-large", value=_plain(value)))
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


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_at(cells: Sequence[Cell], position: int | None) -> Cell:
    """The cell at `position`, None past the row's end or for a column the file lacks."""
    if position is None or position >= len(cells):
        return None
    return cells[position]


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
                message("cell.unknown-column", column=cell_text(cell), known=", ".join(known)),
            )
        elif key in positions:
            problems.add([sheet, 1, key], message("cell.column-twice", column=key))
        else:
            positions[key] = position
    missing = [name for name in required if name not in positions]
    if missing:
        problems.add([sheet, 1], message("cell.missing-columns", columns=", ".join(missing)))
        return None
    return positions
