"""What a JSON import file may not hold, caught before a parser sees it: long numbers, deep nesting.

ijson's C parser crashes the whole process (a segmentation fault) on an integer of more than 4,300
digits, and its memory grows with the square of the nesting depth (each event carries its path);
the json module gives up on deep nesting with a RecursionError. A `JsonGuard` reads every chunk
first, outside strings: at C speed (regex, split, translate) while nothing is wrong, and byte by
byte only through the chunk that holds the refused byte, to say where it is.
"""

import re
from itertools import accumulate

from app.core.messages import Message, message

# Objects and lists nested deeper than this are refused; import files need three levels.
MAX_DEPTH = 32

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_DIGITS = b"0123456789"
_OPENERS, _CLOSERS = frozenset(b"[{"), frozenset(b"]}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = [1 if b in _OPENERS else -1 if b in _CLOSERS else 0 for b in range(256)]
# A backslash and the byte it escapes, wherever they are (outside a string the parser stops
# at the backslash anyway): blanked, so that `\"` does not end a string.
_ESCAPE = re.compile(rb"\\.", re.DOTALL)


class JsonGuard:
    """Fed a JSON file's bytes in order; `check` finds the first byte past a limit.

    Carried from one chunk to the next: inside a string or not, a backslash waiting for the
    byte it escapes, the nesting depth, and the digits in a row so far.
    """

    def __init__(self, *, max_digits: int, max_depth: int = MAX_DEPTH) -> None:
        self.max_digits = max_digits
        self.max_depth = max_depth
        self.in_string = False
        self.escaped = False
        self.depth = 0
        self.digits = 0
        self._long_number = re.compile(rb"[0-9]{%d}" % (max_digits + 1))

    def check(self, chunk: bytes) -> tuple[int, Message] | None:
        """(offset in `chunk`, reason) of the first byte past a limit, or None."""
        state = (self.in_string, self.escaped, self.depth, self.digits)
        if self._passes(chunk):
            return None
        self.in_string, self.escaped, self.depth, self.digits = state
        return self._locate(chunk)

    def _passes(self, chunk: bytes) -> bool:
        """Whether `chunk` stays within the limits, judged on its text outside strings."""
        started_inside = self.in_string
        outside = self._outside_strings(chunk)
        if not outside:  # all of it inside one string
            return True
        if self._long_number.search(b" ".join(outside)):
            return False
        first, last = outside[0], outside[-1]
        if not started_inside and self.digits + _leading_digits(first) > self.max_digits:
            return False
        if self.in_string:
            self.digits = 0
        elif len(outside) == 1 and not started_inside and _leading_digits(last) == len(last):
            self.digits += len(last)
        else:
            self.digits = len(last) - len(last.rstrip(_DIGITS))
        return self._depth_passes(b"".join(outside).translate(None, _NOT_BRACKETS))

    def _outside_strings(self, chunk: bytes) -> list[bytes]:
        """The runs of `chunk` outside strings, in order; notes whether a string stays open."""
        text = chunk
        if self.escaped and text:
            text = b"_" + text[1:]
            self.escaped = False
        if b"\\" in text:
            text = _ESCAPE.sub(b"__", text)
            if text.endswith(b"\\"):
                text = text[:-1] + b"_"
                self.escaped = True
        parts = text.split(b'"')
        started_inside = self.in_string
        if len(parts) % 2 == 0:  # an odd number of quotes
            self.in_string = not started_inside
        return parts[1::2] if started_inside else parts[0::2]

    def _depth_passes(self, brackets: bytes) -> bool:
        opened = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opened > self.max_depth:
            levels = list(accumulate(map(_DEPTH_STEP.__getitem__, brackets), initial=self.depth))
            if max(levels) > self.max_depth:
                return False
        self.depth += 2 * opened - len(brackets)
        return True

    def _locate(self, chunk: bytes) -> tuple[int, Message] | None:
        """`_passes` one byte at a time, for the chunk it refused: where, and why."""
        for offset, byte in enumerate(chunk):
            if self.escaped or byte == _BACKSLASH:
                self.escaped = not self.escaped
                self.digits = 0
            elif self.in_string:
                self.in_string = byte != _QUOTE
            elif byte in _DIGITS:
                self.digits += 1
                if self.digits > self.max_digits:
                    return offset, message("json.long-number", limit=self.max_digits)
            else:
                self.digits = 0
                self.in_string = byte == _QUOTE
                self.depth += _DEPTH_STEP[byte]
                if self.depth > self.max_depth:
                    return offset, message("json.deep", limit=self.max_depth)
        return None


def _leading_digits(text: bytes) -> int:
    return len(text) - len(text.lstrip(_DIGITS))


def place(before: bytes, *, line: int, column: int) -> tuple[int, int]:
    """(line, column) of the byte that follows `before`, which starts at (line, column);
    columns count characters, as an editor does."""
    newlines = before.count(b"\n")
    if newlines:
        tail = before[before.rfind(b"\n") + 1 :]
        return line + newlines, len(tail.decode("utf-8", "ignore")) + 1
    return line, column + len(before.decode("utf-8", "ignore"))
