"""A refused workbook handed back with each problem where it is: the cell filled and commented,
and every problem listed on a sheet of its own, so an official fixes the file in place."""

import io
from collections.abc import Sequence
from dataclasses import replace
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from app.core.errors import Problem
from app.core.messages import Message
from app.services.imports.parsing.archive import check_archive
from app.services.imports.parsing.cells import header_key
from app.services.imports.parsing.limits import ReadLimits
from app.services.imports.parsing.problems import ProblemLog
from app.services.imports.parsing.sheet_header import find_header
from app.services.imports.parsing.xlsx import LONG_SHEET, UNREADABLE

PROBLEM_FILL = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
PROBLEMS_SHEET = "Lỗi nhập - Problems"
AUTHOR = "PAR Index"
# Unpacked, a workbook held whole by openpyxl takes tens of times its size in memory.
UNPACKED_PER_BYTE = 10


def annotated_workbook(
    file: IO[bytes],
    problems: Sequence[Problem],
    *,
    summaries: tuple[str, str],
    limits: ReadLimits,
    max_bytes: int,
) -> bytes | None:
    """The uploaded workbook with its problems marked, or None where it cannot be: larger than
    `max_bytes`, refused by the archive checks (`archive.check_archive`), or unreadable."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    unpacked = min(limits.unpacked_bytes, max_bytes * UNPACKED_PER_BYTE)
    bounded = replace(limits, unpacked_bytes=unpacked)
    if size > max_bytes or not check_archive(file, limits=bounded, problems=ProblemLog()):
        return None
    file.seek(0)
    try:
        book = load_workbook(file)
    except UNREADABLE:
        return None
    columns: dict[tuple[str, str], int | None] = {}
    places = [_place(book, problem, columns) for problem in problems]
    for problem, place in zip(problems, places, strict=True):
        if place is not None:
            _mark(book[place[0]].cell(row=place[1], column=place[2]), _bilingual(problem.msg))
    _list_problems(book, problems, places, summaries)
    first = next((place for place in places if place is not None), None)
    if first is not None:
        book.active = book.sheetnames.index(first[0])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


Place = tuple[str, int, int]  # sheet title, row, column (both from 1)


def _place(book: Any, problem: Problem, columns: dict[tuple[str, str], int | None]) -> Place | None:
    """The problem's cell: its row and named column, column A without one, A1 for a sheet."""
    loc = list(problem.loc)
    if not loc or not isinstance(loc[0], str) or loc[0] not in book.sheetnames:
        return None
    title = loc[0]
    row = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 1
    column = None
    if len(loc) > 2:
        key = (title, str(loc[2]))
        if key not in columns:
            columns[key] = _column(book[title], key[1])
        column = columns[key]
    return title, row, (column or 0) + 1


def _bilingual(msg: Message) -> str:
    """The workbook goes back to whoever loaded it, whatever their language: both, vi first."""
    return f"{msg.render('vi')}\n{msg.render('en')}"


def _mark(cell: Any, msg: str) -> None:
    cell.fill = PROBLEM_FILL
    text = msg if cell.comment is None else f"{cell.comment.text}\n{msg}"
    comment = Comment(text, AUTHOR)
    comment.width, comment.height = 300, 120
    cell.comment = comment


def _column(sheet: Any, name: str) -> int | None:
    """Where the column a problem names is: by its header in the `long` sheet, else by the
    group sheet's header (a leaf code, a role such as `unit_name`, or an unknown label)."""
    rows = sheet.iter_rows(values_only=True)
    if sheet.title.strip().lower() == LONG_SHEET:
        header = next(rows, ())
        return next((i for i, cell in enumerate(header) if header_key(cell) == name), None)
    found = find_header(rows)
    if found is None:
        return None
    header = found[0]
    position = header.position_of(name)
    if position is None:
        position = next((p for p, label in header.unknown if label == name), None)
    return position


def _list_problems(
    book: Any,
    problems: Sequence[Problem],
    places: Sequence[Place | None],
    summaries: tuple[str, str],
) -> None:
    title = PROBLEMS_SHEET
    while title in book.sheetnames:
        title = f"{title[:28]}_"
    sheet = book.create_sheet(title)
    for line in summaries:
        sheet.append([line])
    sheet.append([])
    sheet.append(["Trang (sheet)", "Dòng (row)", "Cột (column)", "Lỗi (problem)", "Ô (cell)"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for problem, place in zip(problems, places, strict=True):
        loc = [*problem.loc, None, None, None][:3]
        address = f"{get_column_letter(place[2])}{place[1]}" if place else None
        sheet.append([*loc, _bilingual(problem.msg), address])
    for letter, width in zip("ABCDE", (24, 10, 16, 90, 10), strict=True):
        sheet.column_dimensions[letter].width = width
