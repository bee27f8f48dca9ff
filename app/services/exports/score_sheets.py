"""Which scores a group sheet holds: final (appraised) scores, or self-assessed ones when its
title says so after the group's code or name, as in `department (tự chấm)`."""

import re
from enum import StrEnum

from app.core.text import fold


class SheetScores(StrEnum):
    """The score a group sheet's cells give: `final` (appraised) or `self` (self-assessed)."""

    SELF = "self"
    FINAL = "final"


# What the template writes after the group code; the words officials use are read as well.
SUFFIXES = {SheetScores.SELF: "tự chấm", SheetScores.FINAL: "thẩm định"}
_READ_SUFFIXES = {
    **dict.fromkeys(("tu cham", "tu danh gia", "self", "self-assessed"), SheetScores.SELF),
    **dict.fromkeys(("tham dinh", "final", "appraised"), SheetScores.FINAL),
}
_TITLE = re.compile(r"(?P<group>.*?)\s*\((?P<suffix>[^()]*)\)\s*")


def score_sheet_title(group: str, scores: SheetScores) -> str:
    """`group` for final scores (the layout the exporter writes), `group (tự chấm)` for
    self-assessed ones."""
    if scores is SheetScores.FINAL:
        return group
    return f"{group} ({SUFFIXES[scores]})"


def read_sheet_title(title: str) -> tuple[str, SheetScores]:
    """The group a sheet is named after and the scores it holds. A parenthesised suffix that
    is not a kind of score stays part of the group's name."""
    name = title.strip()
    found = _TITLE.fullmatch(name)
    if found is not None:
        scores = _READ_SUFFIXES.get(fold(found["suffix"]))
        if scores is not None and found["group"]:
            return found["group"], scores
    return name, SheetScores.FINAL
