"""Small tables an import reads whole: a criteria set with its bands, and published results."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any, NamedTuple

from app.core.messages import message
from app.services.imports.parsing import csv, json
from app.services.imports.parsing.cells import (
    Cell,
    cell_at,
    cell_text,
    column_positions,
    is_blank,
    parse_score,
)
from app.services.imports.parsing.files import FileFormat, UnsupportedMediaType
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import BadCell, Locator, ProblemLog
from app.services.imports.parsing.xlsx import SheetRefused, xlsx_sheets

PUBLISHED_COLUMNS = ("unit_code", "source")
PUBLISHED_OPTIONAL = ("index_value", "published_rank", "published_position", "band_vi", "note")
CRITERIA_COLUMNS = ("code", "name_vi", "name_en", "max_score")
# `group` and `parent_code` are what the exporter's criteria sheet adds; `parent_code` follows
# from the code, so it is read past.
CRITERIA_OPTIONAL = ("method", "group", "parent_code")
BAND_COLUMNS = ("label_vi", "label_en", "min_index")


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
            name: None if is_blank(value := cell_at(cells, position)) else value
            for name, position in positions.items()
        }
        if any(value is not None for value in values.values()):
            table.append(TableRow(sheet, number, values))
    return table


def read_published(
    binary: IO[bytes],
    file_format: FileFormat,
    *,
    problems: ProblemLog,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> list[TableRow]:
    """Rows of unit_code, index_value, published_rank, published_position, band_vi, source, note."""
    if file_format is FileFormat.JSON:
        document = json.read_json(binary, problems=problems, limits=limits)
        if document is None:
            return []
        columns = (*PUBLISHED_COLUMNS, *PUBLISHED_OPTIONAL)
        table = [
            TableRow(json.SHEET, number, item)
            for number, item in json.json_items(
                document, key="published_results", columns=columns, problems=problems
            )
        ]
        if not table and not problems:
            empty = message("parse.empty-published")
            problems.add([json.SHEET], message("parse.nothing-to-import", why=empty))
        return table
    if file_format is FileFormat.CSV:
        header, rows = csv.csv_table(binary, sheet=csv.SHEET, problems=problems)
        if header is None:
            return []
        stripped = ((n, [cell.strip() for cell in cells]) for n, cells in rows)
        table = table_rows(
            header,
            stripped,
            sheet=csv.SHEET,
            required=PUBLISHED_COLUMNS,
            optional=PUBLISHED_OPTIONAL,
            problems=problems,
        )
        if not table and not problems:
            empty = message("parse.no-rows")
            problems.add([csv.SHEET, 2], message("parse.nothing-to-import", why=empty))
        return table
    raise UnsupportedMediaType(message("file.published-formats"))


# The sheets of a criteria workbook, with their required and optional columns.
_CRITERIA_SHEETS = {
    "criteria": (CRITERIA_COLUMNS, CRITERIA_OPTIONAL),
    "bands": (BAND_COLUMNS, ()),
}


class CriteriaSheets(NamedTuple):
    criteria: list[TableRow]
    bands: list[TableRow]


def read_criteria_xlsx(
    binary: IO[bytes], *, problems: ProblemLog, limits: ReadLimits = DEFAULT_LIMITS
) -> CriteriaSheets:
    """Sheet `criteria` (code, name_vi, name_en, max_score, method) and optional sheet `bands`."""
    tables: dict[str, list[TableRow]] = {}
    for title, rows in xlsx_sheets(binary, problems=problems, limits=limits):
        name = title.strip().lower()
        if name not in _CRITERIA_SHEETS:
            continue
        required, optional = _CRITERIA_SHEETS[name]
        try:
            header = next(rows, ())
            numbered = enumerate(rows, start=2)
            tables[name] = table_rows(
                header,
                numbered,
                sheet=title,
                required=required,
                optional=optional,
                problems=problems,
            )
        except SheetRefused:
            tables[name] = []
    if "criteria" not in tables and not problems:
        problems.add(["xlsx"], message("parse.no-criteria-sheet"))
    return CriteriaSheets(tables.get("criteria", []), tables.get("bands", []))


def read_criteria(
    binary: IO[bytes],
    file_format: FileFormat,
    *,
    group: str,
    problems: ProblemLog,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[dict[str, Any], Locator]:
    """A CriteriaSetPut body from the file, and where each of its list items came from.

    JSON is the PUT body itself. XLSX has a `criteria` sheet (rows of other groups skipped
    when it has a `group` column, as in the exporter's workbook) and an optional `bands` sheet.
    """
    if file_format is FileFormat.JSON:
        document = json.read_json(binary, problems=problems, limits=limits)
        if not isinstance(document, dict):
            if document is not None:
                problems.add([json.SHEET], message("parse.criteria-object"))
            return {}, lambda loc: [json.SHEET, *loc]
        for place in json.repeated_keys(document):
            problems.add([json.SHEET, *place], json.repeated_key_msg(str(place[-1])))
        document.pop("correction_reason", None)
        return document, lambda loc: [json.SHEET, *loc]
    sheets = read_criteria_xlsx(binary, problems=problems, limits=limits)
    criteria_rows = [
        row
        for row in sheets.criteria
        if row.values.get("group") is None or cell_text(row.values["group"]) == group
    ]
    if sheets.criteria and not criteria_rows:
        problems.add([sheets.criteria[0].sheet], message("parse.no-criteria-rows", group=group))
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
