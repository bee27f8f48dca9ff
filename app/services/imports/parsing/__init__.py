"""Reading import files into raw rows, one module per format, every problem with its place.

Nothing here knows the database: readers turn bytes into rows of text and numbers and log what
they cannot read (encoding, headers, structure) in a `problems.ProblemLog`. The entry points
below pick the reader by the file's format (`files.detect_format`).
"""

from collections.abc import Iterator
from typing import IO

from app.core.messages import Message, message
from app.services.imports.parsing import archive, csv, json
from app.services.imports.parsing.cells import RawScore
from app.services.imports.parsing.csv import read_scores_csv
from app.services.imports.parsing.files import FileFormat, Progress
from app.services.imports.parsing.json import read_scores_json
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import ProblemLog
from app.services.imports.parsing.tables import read_criteria, read_published
from app.services.imports.parsing.wide_sheet import WideSheetChecks
from app.services.imports.parsing.xlsx import read_scores_xlsx

__all__ = [
    "FileFormat",
    "ReadLimits",
    "WideSheetChecks",
    "read_criteria",
    "read_published",
    "read_scores",
]


def read_scores(
    binary: IO[bytes],
    file_format: FileFormat,
    *,
    problems: ProblemLog,
    progress: Progress | None,
    limits: ReadLimits = DEFAULT_LIMITS,
    checks: WideSheetChecks | None = None,
) -> Iterator[RawScore]:
    """The raw score rows of a CSV, XLSX or JSON file, streamed in file order; a file without
    any is a problem (an import that would change nothing by mistake). `checks` serve the
    group sheets of a workbook."""
    if file_format is FileFormat.CSV:
        rows = read_scores_csv(binary, problems=problems, progress=progress)
        return _not_empty(rows, problems, [csv.SHEET, 2], message("parse.no-rows-under-header"))
    if file_format is FileFormat.XLSX:
        rows = read_scores_xlsx(
            binary, problems=problems, progress=progress, limits=limits, checks=checks
        )
        return _not_empty(rows, problems, [archive.SHEET], message("parse.no-sheet-with-rows"))
    rows = read_scores_json(binary, problems=problems, progress=progress, limits=limits)
    return _not_empty(rows, problems, [json.SHEET], message("parse.empty-list"))


def _not_empty(
    rows: Iterator[RawScore], problems: ProblemLog, loc: list[str | int], msg: Message
) -> Iterator[RawScore]:
    """`rows`, and a problem at `loc` after them if there were none and nothing else was wrong."""
    empty = True
    for row in rows:
        empty = False
        yield row
    if empty and not problems:
        problems.add(loc, message("parse.nothing-to-import", why=msg))
