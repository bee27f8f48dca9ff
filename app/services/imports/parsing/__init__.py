"""Reading import files into raw rows, one module per format, every problem with its place.

Nothing here knows the database: readers turn bytes into rows of text and numbers and log what
they cannot read (encoding, headers, structure) in a `problems.ProblemLog`. The entry points
below pick the reader by the file's format (`files.detect_format`).
"""

from collections.abc import Iterator
from typing import IO

from app.services.imports.parsing.cells import RawScore
from app.services.imports.parsing.csv import read_scores_csv
from app.services.imports.parsing.files import FileFormat, Progress
from app.services.imports.parsing.json import read_scores_json
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import ProblemLog
from app.services.imports.parsing.tables import read_criteria, read_published
from app.services.imports.parsing.xlsx import read_scores_xlsx

__all__ = ["FileFormat", "ReadLimits", "read_criteria", "read_published", "read_scores"]


def read_scores(
    binary: IO[bytes],
    file_format: FileFormat,
    *,
    problems: ProblemLog,
    progress: Progress | None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[RawScore]:
    """The raw score rows of a CSV, XLSX or JSON file, streamed in file order."""
    if file_format is FileFormat.CSV:
        return read_scores_csv(binary, problems=problems, progress=progress)
    if file_format is FileFormat.XLSX:
        return read_scores_xlsx(binary, problems=problems, progress=progress, limits=limits)
    return read_scores_json(binary, problems=problems, progress=progress, limits=limits)
