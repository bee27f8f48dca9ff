"""The rows of a JSON import file, one at a time: UTF-8 checked, the list found, errors placed.

ijson's parser builds one row at a time, so memory stays flat however long the list is. The
stream must be seekable (as every import file is): a first look finds where the rows are, a
second pass yields them and, only for broken JSON, a third places the error by line and column.
Every pass reads through a `JsonGuard`, so the parser never sees what would crash it.
"""

import codecs
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

import ijson

from app.core.messages import Message, message
from app.services.imports.parsing.files import Progress
from app.services.imports.parsing.json_guard import JsonGuard, place

READ_BYTES = 1 << 16


class UnreadableJson(Exception):
    """The file is not UTF-8 JSON of the expected shape; `line` is None when it has no place."""

    def __init__(self, line: int | None, msg: Message) -> None:
        super().__init__(msg.key)
        self.line = line
        self.msg = msg


class JsonObject(dict[str, Any]):
    """A JSON object that notes the keys it is given twice: ijson and the json module keep the
    last value without a word, which hides that the file says two things."""

    repeated: tuple[str, ...] = ()

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self:
            self.repeated = (*self.repeated, key)
        dict.__setitem__(self, key, value)

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> "JsonObject":
        """The json module's `object_pairs_hook`."""
        built = cls()
        for key, value in pairs:
            built[key] = value
        return built


class _CheckedBytes:
    """The file as the parser reads it: the BOM skipped, UTF-8 checked, numbers and nesting
    guarded, the place of each read kept (offsets count the BOM, as a hex editor does; columns
    count characters).

    From byte offset `drip_from` on it hands out one byte per read, so the parser fails on the
    very byte that breaks the JSON and `before` is its place.
    """

    def __init__(
        self,
        binary: IO[bytes],
        *,
        max_digits: int,
        drip_from: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.binary = binary
        self.guard = JsonGuard(max_digits=max_digits)
        self.drip_from = drip_from
        self.progress = progress
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        start = binary.tell()
        self.offset = 0
        if binary.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            self.offset = len(codecs.BOM_UTF8)
        else:
            binary.seek(start)
        self.line = self.column = 1
        self.before = (self.line, self.column)
        self.read_from = self.offset

    def read(self, size: int) -> bytes:
        if size == 0:  # ijson asks once whether the reader gives bytes or text
            return b""
        if self.drip_from is not None:
            size = 1 if self.offset >= self.drip_from else min(size, self.drip_from - self.offset)
        chunk = self.binary.read(size)
        # The start of a character the decoder held back from the last read: it goes in front.
        held = self.decoder.getstate()[0]
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            line = self.line + error.object.count(b"\n", 0, error.start)
            raise UnreadableJson(
                line,
                message(
                    "json.encoding",
                    byte=f"0x{error.object[error.start]:02x}",
                    offset=self.offset - len(held) + error.start,
                    line=line,
                ),
            ) from None
        refused = self.guard.check(chunk)
        if refused is not None:
            offset, reason = refused
            before = (held + chunk)[: len(held) + offset]
            line, column = place(before, line=self.line, column=self.column)
            raise UnreadableJson(line, message("json.at-column", why=reason, column=column))
        self.before = (self.line, self.column)
        self.read_from = self.offset
        self.offset += len(chunk)
        if newlines := text.count("\n"):
            self.line += newlines
            self.column = len(text) - text.rfind("\n")
        else:
            self.column += len(text)
        if self.progress is not None and chunk:
            self.progress(self.offset)
        return chunk


def json_rows(
    binary: IO[bytes], *, key: str, max_digits: int, progress: Progress | None = None
) -> Iterator[Any]:
    """The items of `{key: [...]}` or of a bare list, in order, numbers as exact Decimals (whole
    numbers as int), objects as `JsonObject`; raises UnreadableJson at the first thing that
    stops the reading."""
    start = binary.tell()
    source = _CheckedBytes(binary, max_digits=max_digits)
    try:
        prefix = _rows_prefix(source, key)
        if prefix is None:
            raise UnreadableJson(None, message("json.shape", key=key))
        binary.seek(start)
        source = _CheckedBytes(binary, max_digits=max_digits, progress=progress)
        yield from ijson.items(
            source, prefix, use_float=False, map_type=JsonObject, buf_size=READ_BYTES
        )
    except ijson.JSONError as error:
        line, column = _error_place(
            binary, start=start, drip_from=source.read_from, max_digits=max_digits
        )
        reason = str(error).splitlines()[0].rstrip(".")
        # yajl says "parse error: …" or "lexical error: …"; "not valid JSON" says it already.
        reason = reason.partition(" error: ")[2] or reason
        raise UnreadableJson(line, message("json.invalid", error=reason, column=column)) from None


def _rows_prefix(source: _CheckedBytes, key: str) -> str | None:
    """ijson's path to the rows: `item` for a bare list, `{key}.item` for an object whose `key`
    is a list, None for anything else. Reads only up to the start of the list."""
    for prefix, event, _ in ijson.parse(source, buf_size=READ_BYTES):
        if prefix == "" and event == "start_array":
            return "item"
        if prefix == "" and event not in ("start_map", "map_key"):
            return None
        if prefix == key:
            return f"{key}.item" if event == "start_array" else None
    return None


def _error_place(
    binary: IO[bytes], *, start: int, drip_from: int, max_digits: int
) -> tuple[int, int]:
    """(line, column) of the byte the parser fails on, found by parsing again and feeding the
    read that failed one byte at a time; only broken files pay for it."""
    binary.seek(start)
    source = _CheckedBytes(binary, max_digits=max_digits, drip_from=drip_from)
    try:
        deque(ijson.basic_parse(source, buf_size=READ_BYTES), maxlen=0)
    except ijson.JSONError:
        return source.before
    return source.line, source.column
