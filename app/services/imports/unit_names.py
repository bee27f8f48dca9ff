"""Units named in a file by their Vietnamese (or English) name instead of their code."""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.messages import Message, message
from app.core.text import fold
from app.models import OrgUnit
from app.services.registry.scores import active_in_year

# How many close names a problem suggests, and how close they must be (difflib's ratio).
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 0.6


@dataclass(frozen=True)
class NamedUnit:
    code: str
    name_vi: str
    group_id: int


class UnitNames:
    """The units active in a year by folded name (case, diacritics and spacing ignored)."""

    def __init__(self, units: Iterable[OrgUnit], *, year: int) -> None:
        self.by_name: dict[str, list[NamedUnit]] = {}
        for unit in units:
            if not active_in_year(unit, year):
                continue
            named = NamedUnit(unit.code, unit.name_vi, unit.group_id)
            for key in {fold(unit.name_vi), fold(unit.name_en)}:
                self.by_name.setdefault(key, []).append(named)

    def resolve(self, name: str, *, group_id: int | None) -> "str | Unresolved":
        """The code of the one unit of that name (in the sheet's group, if known), or why not:
        no unit has the name (the closest names are suggested) or several do (they are
        listed)."""
        key = fold(name)
        found = [
            unit
            for unit in self.by_name.get(key, ())
            if group_id is None or unit.group_id == group_id
        ]
        codes = sorted({unit.code for unit in found})
        if len(codes) == 1:
            return codes[0]
        if codes:
            listed = ", ".join(f"{unit.name_vi} ({unit.code})" for unit in _distinct(found))
            return Unresolved(message("unit-name.ambiguous", name=name, units=listed))
        close = self._close(key, group_id)
        if close is None:
            return Unresolved(message("unit-name.unknown-none-close", name=name))
        return Unresolved(message("unit-name.unknown", name=name, close=close))

    def _close(self, key: str, group_id: int | None) -> str | None:
        candidates = [
            name
            for name, units in self.by_name.items()
            if group_id is None or any(unit.group_id == group_id for unit in units)
        ]
        close = difflib.get_close_matches(key, candidates, n=SUGGESTIONS, cutoff=SUGGESTION_CUTOFF)
        units = _distinct(
            unit
            for name in close
            for unit in self.by_name[name]
            if group_id is None or unit.group_id == group_id
        )
        if not units:
            return None
        return ", ".join(f"{unit.name_vi} ({unit.code})" for unit in units)


@dataclass(frozen=True)
class Unresolved:
    msg: Message


def _distinct(units: Iterable[NamedUnit]) -> list[NamedUnit]:
    return list({unit.code: unit for unit in units}.values())
