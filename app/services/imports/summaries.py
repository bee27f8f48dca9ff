"""One-line summaries of an import, in Vietnamese and English, for the people who load files.

Both languages are given at once (`summary_vi`, `summary_en`), from the catalogue's
`import-summary.*` sentences.
"""

from collections.abc import Mapping, Sequence

from app.core.errors import Problem
from app.core.messages import Message, message
from app.schemas.imports import ImportOutcome

# The parts of a problem's place, in the order `loc` gives them.
_PLACE_PARTS = ("sheet", "row", "column")


def report_summaries(
    *,
    file_name: str,
    outcome: ImportOutcome,
    counts: Mapping[str, int],
    figure_mismatches: int = 0,
    published_mismatches: int = 0,
) -> tuple[str, str]:
    """(vi, en): what the import did, its counts, and what the file's own figures disagree on."""
    sentences = [_outcome(file_name, outcome, counts)]
    if figure_mismatches:
        sentences.append(message("import-summary.figures-differ", count=figure_mismatches))
    if published_mismatches:
        sentences.append(message("import-summary.published-differ", count=published_mismatches))
    return _both(sentences)


def rejection_summaries(file_name: str, total: int, problems: Sequence[Problem]) -> tuple[str, str]:
    """(vi, en): nothing was imported, how many problems, and the first of them."""
    sentences = [message("import-summary.rejected", file=file_name, count=total)]
    if problems:
        first = problems[0]
        sentences.append(message("import-summary.first", where=_where(first.loc), why=first.msg))
    return _both(sentences)


def _outcome(file_name: str, outcome: ImportOutcome, counts: Mapping[str, int]) -> Message:
    if outcome is ImportOutcome.UNCHANGED:
        return message("import-summary.unchanged", file=file_name)
    changes = message(
        "import-summary.changes",
        **{key: counts.get(key, 0) for key in ("added", "changed", "removed", "unchanged")},
    )
    kind = "dry-run" if outcome is ImportOutcome.DRY_RUN else "imported"
    units = counts.get("units")
    if units is None:
        return message(f"import-summary.{kind}", file=file_name, changes=changes)
    return message(f"import-summary.{kind}-units", file=file_name, units=units, changes=changes)


def _where(loc: Sequence[str | int]) -> list[Message]:
    return [
        message(f"import-summary.{part}", value=value)
        for part, value in zip(_PLACE_PARTS, loc, strict=False)
    ]


def _both(sentences: Sequence[Message]) -> tuple[str, str]:
    vi = " ".join(sentence.render("vi") for sentence in sentences)
    en = " ".join(sentence.render("en") for sentence in sentences)
    return vi, en
