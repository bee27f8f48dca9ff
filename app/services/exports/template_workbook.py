"""A score template as an XLSX workbook officials fill in Excel or LibreOffice Calc.

The score sheet is laid out as the import reads officials' sheets (`sheet_header`): a title
block, a row of criterion names over the row of leaf codes, a row of maxima and one of methods,
then a row per unit. Only the score and note cells are unlocked; the sheet and the workbook's
structure are protected without a password, so the layout survives filling in but anybody
can lift the protection to delete a unit's row.
"""

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.core.i18n import Language
from app.core.messages import say
from app.schemas.base import format_decimal
from app.services.exports.score_sheets import SheetScores
from app.services.exports.template import ScoreTemplate

SCORE_FORMAT = "0.00"
# A stored score with more than two decimals (survey items may have four) is shown whole.
FINE_SCORE_FORMAT = "0.00##"
UNIT_COLUMNS = 3  # STT, unit code, unit name
TITLE_ROWS = 5  # province, title, group, criteria set, units' date; then a blank row
NAMES_ROW = TITLE_ROWS + 2
CODES_ROW = NAMES_ROW + 1
MAXIMA_ROW = CODES_ROW + 1
METHODS_ROW = MAXIMA_ROW + 1
FIRST_UNIT_ROW = METHODS_ROW + 1
UNLOCKED = Protection(locked=False)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
INSTRUCTION_STEPS = ("step-scores", "step-prefilled", "step-units", "step-notes")


def _vi(key: str, **values: object) -> str:
    return say("vi", f"template.{key}", **values)


def _first_leaf_column() -> int:
    return UNIT_COLUMNS + 1


def _note_column(template: ScoreTemplate) -> int:
    return _first_leaf_column() + len(template.leaves)


def _last_unit_row(template: ScoreTemplate) -> int:
    return FIRST_UNIT_ROW + len(template.units) - 1


def _title_block(sheet: Worksheet, template: ScoreTemplate, generated: date) -> None:
    title_key = "title-self" if template.scores is SheetScores.SELF else "title-final"
    lines = (
        _vi("province"),
        _vi(title_key, year=template.year),
        _vi("group", name=template.group_name_vi, code=template.group_code),
        _vi(
            "criteria-set",
            year=template.year,
            leaves=len(template.leaves),
            maximum=format_decimal(template.maximum),
            version=template.criteria_version,
        ),
        _vi(
            "units-as-of",
            date=template.units_as_of.strftime("%d/%m/%Y"),
            generated=generated.strftime("%d/%m/%Y"),
        ),
    )
    for row, line in enumerate(lines, start=1):
        sheet.cell(row, 1, line).font = BOLD if row <= 2 else Font()


def _header(sheet: Worksheet, template: ScoreTemplate) -> None:
    """Names over codes; the unit and note labels span both rows, as officials merge them."""
    labels = {1: _vi("sequence"), 2: _vi("unit-code"), 3: _vi("unit-name")}
    labels[_note_column(template)] = _vi("note")
    for column, label in labels.items():
        sheet.cell(NAMES_ROW, column, label).font = BOLD
        sheet.merge_cells(
            start_row=NAMES_ROW, start_column=column, end_row=CODES_ROW, end_column=column
        )
    sheet.cell(MAXIMA_ROW, UNIT_COLUMNS, _vi("maximum")).font = BOLD
    sheet.cell(METHODS_ROW, UNIT_COLUMNS, _vi("method")).font = BOLD
    for column, leaf in enumerate(template.leaves, start=_first_leaf_column()):
        sheet.cell(NAMES_ROW, column, leaf.name_vi).alignment = WRAP
        code = sheet.cell(CODES_ROW, column, leaf.code)
        code.data_type = "s"  # "1.1" stays a code, never the number 1.1
        code.font = BOLD
        maximum = sheet.cell(MAXIMA_ROW, column, leaf.maximum)
        maximum.number_format = SCORE_FORMAT
        sheet.cell(METHODS_ROW, column, _vi(f"method-{leaf.method}") if leaf.method else None)


def _units(sheet: Worksheet, template: ScoreTemplate) -> None:
    note_column = _note_column(template)
    for offset, unit in enumerate(template.units):
        row = FIRST_UNIT_ROW + offset
        sheet.cell(row, 1, offset + 1)
        sheet.cell(row, 2, unit.code).data_type = "s"
        sheet.cell(row, 3, unit.name_vi).data_type = "s"
        for column, leaf in enumerate(template.leaves, start=_first_leaf_column()):
            score: Decimal | None = unit.scores.get(leaf.code)
            cell = sheet.cell(row, column, score)
            cell.number_format = SCORE_FORMAT if _two_decimals(score) else FINE_SCORE_FORMAT
            cell.protection = UNLOCKED
        sheet.cell(row, note_column).protection = UNLOCKED


def _two_decimals(score: Decimal | None) -> bool:
    return score is None or score == score.quantize(Decimal("0.01"))


def _validations(sheet: Worksheet, template: ScoreTemplate) -> None:
    """Per leaf column: a number from 0 to the leaf's maximum with at most two decimals (one
    custom rule, as a cell holds a single validation)."""
    if not template.units:
        return
    last = _last_unit_row(template)
    for column, leaf in enumerate(template.leaves, start=_first_leaf_column()):
        letter = get_column_letter(column)
        top = f"{letter}{FIRST_UNIT_ROW}"
        maximum = format_decimal(leaf.maximum)
        rule = DataValidation(
            type="custom",
            formula1=f"AND(ISNUMBER({top}),{top}>=0,{top}<={maximum},ROUND({top},2)={top})",
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorStyle="stop",
            errorTitle=_vi("validation-title"),
            error=_vi("validation-error", maximum=maximum),
            promptTitle=_vi("validation-prompt-title", code=leaf.code),
            prompt=_vi("validation-prompt", maximum=maximum),
        )
        rule.add(f"{top}:{letter}{last}")
        sheet.add_data_validation(rule)


def _layout(sheet: Worksheet, template: ScoreTemplate) -> None:
    """Column widths, the header and unit columns frozen, the structure protected."""
    widths = {1: 6, 2: 22, 3: 40, _note_column(template): 40}
    for column in range(_first_leaf_column(), _note_column(template)):
        widths[column] = 14
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(FIRST_UNIT_ROW, _first_leaf_column()).coordinate
    _protect(sheet)


def _protect(sheet: Worksheet) -> None:
    # No password: the protection keeps the layout from slips, it is no access control.
    # Column widths and row heights stay adjustable.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _instructions(sheet: Worksheet, template: ScoreTemplate) -> None:
    """The steps in Vietnamese beside English, a row each."""
    kind = "step-kind-self" if template.scores is SheetScores.SELF else "step-kind-final"
    values = {"sheet": template.sheet_title, "group": template.group_code, "year": template.year}
    keys = ("instructions-heading", kind, *INSTRUCTION_STEPS, "step-sheet-name", "step-check")
    for row, key in enumerate(keys, start=1):
        languages: tuple[Language, ...] = ("vi", "en")
        for column, language in enumerate(languages, start=1):
            cell = sheet.cell(row, column, say(language, f"template.{key}", **values))
            cell.alignment = WRAP
            if row == 1:
                cell.font = BOLD
    sheet.column_dimensions["A"].width = 80
    sheet.column_dimensions["B"].width = 80
    _protect(sheet)


def template_workbook(template: ScoreTemplate, *, generated: date) -> bytes:
    """The score sheet, then the instructions (`Hướng dẫn`, which imports skip)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = template.sheet_title
    _title_block(sheet, template, generated)
    _header(sheet, template)
    _units(sheet, template)
    _validations(sheet, template)
    _layout(sheet, template)
    _instructions(workbook.create_sheet(_vi("instructions-sheet")), template)
    workbook.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
