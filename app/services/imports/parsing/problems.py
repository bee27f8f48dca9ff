"""Problems found in an import file, each at its place: [sheet, row, column], in file order.

A row is numbered as a spreadsheet shows it (header = row 1). The sheet of a CSV file is "csv",
of a JSON file "json", where a row is the item's position in the list, from 1.
"""

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import NamedTuple

from app.core.errors import Problem
from app.core.messages import Message

PROBLEM_LIMIT = 1000

# Maps a location in the body built from a file back to [sheet, row, column].
Locator = Callable[[list[str | int]], list[str | int]]


class ProblemLog:
    """Problems found so far: the first `limit` in file order kept with their location, the
    rest counted.

    A problem is placed at `position`, which a reader or checker advances as it goes; one found
    later (in SQL, after the whole file was read) is placed with `add_at` where its row was, ahead
    of anything logged at that position as it went, so the list reads in file order either way.
    """

    def __init__(self, limit: int = PROBLEM_LIMIT) -> None:
        self.limit = limit
        self.items: list[Problem] = []
        self.total = 0
        self.position = 0
        self._keys: list[tuple[int, int]] = []

    def add(self, loc: Sequence[str | int | None], msg: Message) -> None:
        self.total += 1
        self._keep((self.position, self.total), loc, msg)

    def add_at(self, position: int, loc: Sequence[str | int | None], msg: Message) -> None:
        self.total += 1
        self._keep((position, 0), loc, msg)

    def count_more(self, count: int) -> None:
        """Problems found past the kept ones, counted only."""
        self.total += count

    def _keep(self, key: tuple[int, int], loc: Sequence[str | int | None], msg: Message) -> None:
        keys = self._keys
        if len(keys) >= self.limit and key >= keys[-1]:
            return
        index = bisect_right(keys, key)
        keys.insert(index, key)
        self.items.insert(index, Problem([part for part in loc if part is not None], msg))
        if len(keys) > self.limit:
            keys.pop()
            self.items.pop()

    @property
    def omitted(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


class BadCell(NamedTuple):
    """A cell that is not a valid score, and why."""

    msg: Message
