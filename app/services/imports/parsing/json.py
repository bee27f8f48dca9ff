"""JSON import files: small documents read whole, score lists streamed, items checked as objects."""

import codecs
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from app.core.messages import Message, message
from app.services.imports.parsing import json_stream
from app.services.imports.parsing.cells import SCORE_COLUMNS, RawScore
from app.services.imports.parsing.files import Progress
from app.services.imports.parsing.json_guard import JsonGuard, place
from app.services.imports.parsing.json_stream import JsonObject
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import ProblemLog

SHEET = "json"


def read_json(
    binary: IO[bytes], *, problems: ProblemLog, limits: ReadLimits = DEFAULT_LIMITS
) -> Any:
    """The whole document with exact decimals and objects as `JsonObject`, or None with the
    problem logged; for the small criteria and published-results files (scores stream through
    `json_stream`)."""
    data = binary.read()
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = len(data) - len(body) + error.start
        line = body.count(b"\n", 0, error.start) + 1
        problems.add(
            [SHEET, line],
            message("json.encoding", byte=f"0x{body[error.start]:02x}", offset=offset, line=line),
        )
        return None
    refused = JsonGuard(max_digits=limits.number_digits).check(body)
    if refused is not None:
        offset, reason = refused
        line, column = place(body[:offset], line=1, column=1)
        problems.add([SHEET, line], message("json.at-column", why=reason, column=column))
        return None
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=JsonObject.from_pairs)
    except json.JSONDecodeError as error:
        problems.add(
            [SHEET, error.lineno],
            message("json.invalid", error=error.msg, column=error.colno),
        )
        return None


def json_items(
    document: Any, *, key: str, columns: Iterable[str], problems: ProblemLog
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position from 1, object) of `{key: [...]}` or of a bare list; strange items are problems."""
    items = document.get(key) if isinstance(document, dict) else document
    if not isinstance(items, list):
        problems.add([SHEET], message("json.shape", key=key))
        return
    for repeated in getattr(document, "repeated", ()):
        problems.add([SHEET, repeated], repeated_key_msg(repeated))
    yield from _numbered_objects(items, columns=columns, problems=problems)


def repeated_keys(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[list[str | int]]:
    """The place ([*path, key], list positions from 0) of each key given twice in an object of
    the document."""
    if isinstance(value, JsonObject):
        for key in value.repeated:
            yield [*path, key]
        for key, item in value.items():
            yield from repeated_keys(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from repeated_keys(item, (*path, position))


def repeated_key_msg(key: str) -> Message:
    return message("json.repeated-key", key=key)


def _numbered_objects(
    items: Iterable[Any], *, columns: Iterable[str], problems: ProblemLog
) -> Iterator[tuple[int, dict[str, Any]]]:
    known = set(columns)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add([SHEET, number], message("json.row-object"))
            continue
        for unknown in sorted(set(item) - known):
            problems.add([SHEET, number, unknown], message("json.unknown-field", field=unknown))
        for repeated in getattr(item, "repeated", ()):
            problems.add([SHEET, number, repeated], repeated_key_msg(repeated))
        yield number, item


def read_scores_json(
    binary: IO[bytes],
    *,
    problems: ProblemLog,
    progress: Progress | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[RawScore]:
    """`{"scores": [{unit_code, criterion_code, self_score, final_score, note}, ...]}` or a list,
    streamed: one row in memory at a time."""
    rows = json_stream.json_rows(
        binary, key="scores", max_digits=limits.number_digits, progress=progress
    )
    try:
        yield from _score_items(rows, problems=problems)
    except json_stream.UnreadableJson as error:
        problems.add([SHEET, error.line], error.msg)


def _score_items(rows: Iterator[Any], *, problems: ProblemLog) -> Iterator[RawScore]:
    columns = (*SCORE_COLUMNS, "note")
    for number, item in _numbered_objects(rows, columns=columns, problems=problems):
        codes = []
        for column in ("unit_code", "criterion_code"):
            value = item.get(column)
            if value is not None and not isinstance(value, str):
                problems.add([SHEET, number, column], message("json.not-text", field=column))
                value = None
            codes.append((value or "").strip())
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            problems.add([SHEET, number, "note"], message("json.not-text", field="note"))
            note = None
        yield RawScore(
            SHEET,
            number,
            codes[0],
            codes[1],
            item.get("self_score"),
            item.get("final_score"),
            (note.strip() or None) if note else None,
            None,
        )
