"""Where a score sheet's header is: below any title rows, the row of criterion codes, with an
optional row of names above it; each column's role is read from its label in either row."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.core.text import fold
from app.services.imports.parsing.cells import Cell, cell_text, is_blank

# Officials' sheets put a title block of a few rows above the header; a header further down
# than this is not looked for (the reader would otherwise scan a whole sheet of data).
HEADER_SEARCH_ROWS = 30
CRITERION_CODE = re.compile(r"\d{1,3}(?:\.\d{1,3}){0,4}")


class Role(StrEnum):
    """What a column holds. Its name is how problems name the column (`loc`)."""

    UNIT_CODE = "unit_code"
    UNIT_NAME = "unit_name"
    SEQUENCE = "stt"  # the running number officials put first; never read
    LEAF = "leaf"
    TOTAL = "total"
    INDEX = "index"
    RANK = "rank"
    NOTE = "note"


# Computed by the sheet: compared with the service's own figures, never stored.
FIGURE_ROLES = (Role.TOTAL, Role.INDEX, Role.RANK)

# Labels as `label_key` folds them (case, diacritics, spacing, underscores, parentheses).
LABELS: dict[str, Role] = {
    **dict.fromkeys(("unit code", "ma don vi", "ma dv", "ma"), Role.UNIT_CODE),
    **dict.fromkeys(
        ("unit name", "ten don vi", "don vi", "ten co quan, don vi", "co quan, don vi"),
        Role.UNIT_NAME,
    ),
    **dict.fromkeys(("stt", "so tt", "tt", "no.", "no"), Role.SEQUENCE),
    **dict.fromkeys(("total", "tong diem", "tong", "tong cong", "tong diem dat"), Role.TOTAL),
    **dict.fromkeys(
        ("index", "index value", "chi so", "chi so cchc", "chi so cai cach hanh chinh"),
        Role.INDEX,
    ),
    **dict.fromkeys(("rank", "xep hang", "thu hang", "hang", "thu tu xep hang"), Role.RANK),
    **dict.fromkeys(("note", "notes", "ghi chu"), Role.NOTE),
}
# What a row under the header says in its unit columns when it lists each leaf's maximum.
MAXIMUM_LABELS = frozenset(
    {"diem toi da", "toi da", "thang diem", "diem chuan", "maximum", "max", "max score"}
)
# A row of each leaf's scoring method (as the service's template writes it) is read past.
METHOD_LABELS = frozenset({"phuong phap", "phuong phap cham", "method", "scoring method"})
_PARENTHESES = re.compile(r"\([^)]*\)")


def label_key(value: Cell) -> str:
    """'Tên đơn vị' → 'ten don vi'; 'unit_code' → 'unit code'; 'Chỉ số (%)' → 'chi so'."""
    text = _PARENTHESES.sub(" ", cell_text(value).replace("_", " "))
    return fold(text).strip(" :")


def is_criterion_code(value: Cell) -> bool:
    """A criterion code such as 1, 2.3 or 3.2.1; spreadsheets may have made 2.3 a number."""
    if isinstance(value, bool) or value is None:
        return False
    return CRITERION_CODE.fullmatch(cell_text(value)) is not None


@dataclass(frozen=True)
class Column:
    position: int
    role: Role
    label: str  # the leaf code, or the label as the sheet wrote it

    @property
    def key(self) -> str:
        """How problems name the column: the leaf code, else the role."""
        return self.label if self.role is Role.LEAF else self.role.value


@dataclass
class Header:
    """A sheet's header: the row number of its codes row and its known columns, left to right."""

    row_number: int
    columns: list[Column] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (position, label)

    def first(self, role: Role) -> Column | None:
        return next((column for column in self.columns if column.role is role), None)

    def of(self, role: Role) -> list[Column]:
        return [column for column in self.columns if column.role is role]

    def position_of(self, key: str) -> int | None:
        """Where the column a problem names (`Column.key`) is."""
        return next((c.position for c in self.columns if c.key == key), None)


def read_header(codes_row: Sequence[Cell], names_row: Sequence[Cell], row_number: int) -> Header:
    """The header of a codes row and the row above it. A criterion code is a leaf column; any
    other column is known by its label in the codes row, or (blank there) in the names row
    above, where officials merge "STT" or "Tên đơn vị" over both header rows."""
    header = Header(row_number)
    for position in range(max(len(codes_row), len(names_row))):
        own = codes_row[position] if position < len(codes_row) else None
        if is_criterion_code(own):
            header.columns.append(Column(position, Role.LEAF, cell_text(own)))
            continue
        label = own if not is_blank(own) else _at(names_row, position)
        if is_blank(label):
            continue
        role = LABELS.get(label_key(label))
        if role is None:
            header.unknown.append((position, cell_text(label)))
        else:
            header.columns.append(Column(position, role, cell_text(label)))
    return header


def _at(row: Sequence[Cell], position: int) -> Cell:
    return row[position] if position < len(row) else None


def is_header(header: Header) -> bool:
    """A header names its units (by code or name) and at least one criterion."""
    has_unit = any(c.role in (Role.UNIT_CODE, Role.UNIT_NAME) for c in header.columns)
    return has_unit and header.first(Role.LEAF) is not None


def find_header(
    rows: Iterator[tuple[Cell, ...]],
) -> tuple[Header, tuple[Cell, ...]] | None:
    """The header among the first HEADER_SEARCH_ROWS rows, and the row above it (its names, if
    any); None if there is none. `rows` is left after the header row."""
    above: tuple[Cell, ...] = ()
    for row_number, row in enumerate(rows, start=1):
        if any(is_criterion_code(cell) for cell in row):
            names = above if _names_above_codes(above, row) else ()
            header = read_header(row, names, row_number)
            if is_header(header):
                return header, names
        if row_number >= HEADER_SEARCH_ROWS:
            return None
        above = row
    return None


def _names_above_codes(above: Sequence[Cell], codes_row: Sequence[Cell]) -> bool:
    """Whether the row above is a row of criterion names (text over a code), not a title."""
    return any(
        is_criterion_code(code) and not is_blank(_at(above, position))
        for position, code in enumerate(codes_row)
    )


def row_labels(row: Sequence[Cell], header: Header) -> set[str]:
    """The folded texts of a row's unit and number columns: how a maximum row is told apart."""
    return {
        key
        for column in header.columns
        if column.role in (Role.SEQUENCE, Role.UNIT_CODE, Role.UNIT_NAME)
        if (key := label_key(_at(row, column.position)))
    }
