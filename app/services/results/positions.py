"""What a source said of a unit's place without a rank, as a machine-readable code (pure).

Sources often publish a place in words: "the lowest", "among the three lowest", "nằm trong
nhóm 3 đơn vị thấp nhất". The words stay stored exactly as published; this module reads them
into one of four codes, each with standard wording in Vietnamese and English:

* ``highest`` and ``lowest``: the first or the last place of the group;
* ``top_N`` and ``bottom_N``: somewhere among the N highest or the N lowest.

Wording the vocabulary does not know gives no code (the words are still shown): a code is
never guessed.
"""

import re

from app.core.messages import Message, message
from app.schemas.coverage import POSITION_CODE_PATTERN

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
}
_NUMBER = r"(\d+|" + "|".join(NUMBER_WORDS) + ")"
_LOW = r"(lowest|last|weakest|thấp nhất|cuối|cuối cùng|cuối bảng)"
_HIGH = r"(highest|first|best|top|cao nhất|đầu|đứng đầu|dẫn đầu)"
_PREFIX = r"(the |đứng |xếp |xếp hạng |nằm |là )*"
_AMONG = rf"{_PREFIX}(among the|in the|trong|trong nhóm) {_NUMBER} (đơn vị )?"

# (pattern over the first clause of the wording, lower-cased; the code it gives).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(POSITION_CODE_PATTERN), "{0}"),
    (re.compile(rf"^{_PREFIX}{_LOW}( place| vị trí)?$"), "lowest"),
    (re.compile(rf"^{_PREFIX}{_HIGH}( place| vị trí)?$"), "highest"),
    (re.compile(rf"^{_AMONG}{_LOW}$"), "bottom"),
    (re.compile(rf"^{_AMONG}{_HIGH}$"), "top"),
    (re.compile(rf"^(bottom|last) {_NUMBER}$"), "bottom"),
    (re.compile(rf"^(top|first) {_NUMBER}$"), "top"),
)  # fmt: skip


def _number(word: str) -> int | None:
    value = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
    return value if value is not None and value >= 1 else None


def position_code(wording: str | None) -> str | None:
    """The code of a published place ("among the three lowest; tied with …" → "bottom_3").

    Only the first clause is read (before ';' or ','): what follows qualifies it.
    """
    if not wording:
        return None
    clause = re.split(r"[;,(]", wording, maxsplit=1)[0].strip().lower()
    clause = re.sub(r"\s+", " ", clause)
    for pattern, code in _RULES:
        match = pattern.match(clause)
        if match is None:
            continue
        if code not in ("top", "bottom"):
            return code.format(match.group(0))
        counts = [_number(group) for group in match.groups() if group]
        count = next((n for n in reversed(counts) if n is not None), None)
        return f"{code}_{count}" if count is not None else None
    return None


def position_wording(code: str) -> Message:
    """Standard wording of a code (the catalogue's `position.*`)."""
    if code in ("lowest", "highest"):
        return message(f"position.{code}")
    side, _, count = code.partition("_")
    if side in ("bottom", "top"):
        return message(f"position.{side}", count=count)
    raise ValueError(f"unknown position code {code!r}")


def is_bottom(code: str | None) -> bool:
    return code is not None and (code == "lowest" or code.startswith("bottom_"))


def is_top(code: str | None) -> bool:
    return code is not None and (code == "highest" or code.startswith("top_"))
