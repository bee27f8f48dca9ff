"""A group's sheet: a row per unit, by code or by name, and a column per leaf. In officials'
workbooks it sits under title rows, may state each leaf's maximum in a row of its own, and may
carry total, index and rank columns that the sheet computes."""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from app.core.messages import message
from app.schemas.base import format_decimal
from app.services.exports.score_sheets import SheetScores
from app.services.imports.parsing.cells import (
    Cell,
    RawScore,
    cell_at,
    cell_text,
    is_blank,
    parse_score,
)
from app.services.imports.parsing.problems import BadCell, ProblemLog
from app.services.imports.parsing.sheet_header import (
    FIGURE_ROLES,
    HEADER_SEARCH_ROWS,
    LABELS,
    MAXIMUM_LABELS,
    METHOD_LABELS,
    Header,
    Role,
    find_header,
    row_labels,
)

# A province has hundreds of units; the figures of more rows than this are not compared.
FIGURE_ROWS_LIMIT = 10_000


class SheetFigure(NamedTuple):
    """What a unit's row says of its total, index and rank (computed by the sheet)."""

    sheet: str
    row_number: int
    sheet_group: str
    unit_code: str
    unit_name: str | None
    cells: tuple[tuple[Role, Cell], ...]


def _no_maxima(_sheet_group: str) -> Mapping[str, Decimal] | None:
    return None


@dataclass
class WideSheetChecks:
    """What group sheets are checked against besides their cells (`maxima`: the leaf maxima of
    the group a sheet is named after, None if unknown), and the figures they hand back."""

    maxima: Callable[[str], Mapping[str, Decimal] | None] = _no_maxima
    figures: list[SheetFigure] = field(default_factory=list)


def _known_columns() -> str:
    labels = sorted({role.value for role in LABELS.values()} - {Role.SEQUENCE.value})
    return f"STT, criterion codes, {', '.join(labels)} (or their Vietnamese names)"


def wide_sheet(
    title: str,
    group: str,
    rows: Iterator[tuple[Cell, ...]],
    problems: ProblemLog,
    checks: WideSheetChecks,
    *,
    scores: SheetScores = SheetScores.FINAL,
) -> Iterator[RawScore]:
    """The sheet's scores (final, or self-assessed: `scores`). The header is the row of leaf
    codes (`sheet_header.find_header`); a unit is named by its code, or by its name where the
    code cell is empty or absent; the STT and note columns are read past, and a row of maxima
    must agree with the criteria set."""
    found = find_header(rows)
    if found is None:
        problems.add(
            [title, 1],
            message("xlsx.no-header", sheet=title, rows=HEADER_SEARCH_ROWS),
        )
        return
    header, _names = found
    for _position, label in header.unknown:
        problems.add(
            [title, header.row_number, label],
            message("cell.unknown-column", column=label, known=_known_columns()),
        )
    for number, cells in enumerate(rows, start=header.row_number + 1):
        labels = row_labels(cells, header)
        if labels & MAXIMUM_LABELS:
            _check_maxima(title, number, cells, header, checks.maxima(group), problems)
        elif not labels & METHOD_LABELS:
            yield from _unit_row(title, group, number, cells, header, problems, checks, scores)


def _unit_row(
    title: str,
    group: str,
    number: int,
    cells: tuple[Cell, ...],
    header: Header,
    problems: ProblemLog,
    checks: WideSheetChecks,
    scores: SheetScores,
) -> Iterator[RawScore]:
    code_column, name_column = header.first(Role.UNIT_CODE), header.first(Role.UNIT_NAME)
    unit_code = cell_text(cell_at(cells, code_column.position)) if code_column else ""
    unit_name = cell_text(cell_at(cells, name_column.position)) if name_column else ""
    by_name = unit_name if not unit_code and unit_name else None
    scored = [
        (column.label, value)
        for column in header.of(Role.LEAF)
        if not is_blank(value := cell_at(cells, column.position))
    ]
    if not scored:
        # A row with a code must score it; text in the name column alone is also how a sheet
        # signs off ("Người lập biểu"), so such a row is read past.
        if unit_code:
            no_scores = message("xlsx.no-scores", unit=unit_code)
            problems.add([title, number, Role.UNIT_CODE.value], no_scores)
        return
    figures = tuple(
        (column.role, value)
        for column in header.columns
        if column.role in FIGURE_ROLES and not is_blank(value := cell_at(cells, column.position))
    )
    # A sheet's totals are sums of final scores: on a self-assessment sheet there is nothing
    # of the service's to compare them with.
    if figures and scores is SheetScores.FINAL and len(checks.figures) < FIGURE_ROWS_LIMIT:
        checks.figures.append(SheetFigure(title, number, group, unit_code, by_name, figures))
    self_assessed = scores is SheetScores.SELF
    for code, value in scored:
        self_cell, final_cell = (value, None) if self_assessed else (None, value)
        yield RawScore(title, number, unit_code, code, self_cell, final_cell, None, group, by_name)


def _check_maxima(
    title: str,
    number: int,
    cells: tuple[Cell, ...],
    header: Header,
    maxima: Mapping[str, Decimal] | None,
    problems: ProblemLog,
) -> None:
    """A row of leaf maxima: each must be the criteria set's (unknown codes are reported on
    the units' rows; without a criteria set there is nothing to compare with)."""
    for column in header.of(Role.LEAF):
        value = parse_score(cell_at(cells, column.position))
        loc: list[str | int] = [title, number, column.label]
        if isinstance(value, BadCell):
            problems.add(loc, message("xlsx.maximum-cell", why=value.msg))
            continue
        expected = None if maxima is None else maxima.get(column.label)
        if value is not None and expected is not None and value != expected:
            problems.add(
                loc,
                message(
                    "xlsx.maximum-differs",
                    code=column.label,
                    value=format_decimal(value),
                    expected=format_decimal(expected),
                ),
            )
