"""Ranking rules (pure): competition ranking with ties on exact decimals."""

from bisect import bisect_right
from collections.abc import Hashable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Generic, NamedTuple, TypeVar

KeyT = TypeVar("KeyT", bound=Hashable)


class Ranked(NamedTuple, Generic[KeyT]):
    key: KeyT
    value: Decimal
    rank: int
    tie_size: int

    @property
    def tied(self) -> bool:
        return self.tie_size > 1


def rank_with_ties(
    entries: Sequence[tuple[KeyT, Decimal]], *, sort_key: dict[KeyT, str] | None = None
) -> list[Ranked[KeyT]]:
    """Competition ranking (SQL RANK() over value DESC): equal values share a rank, the next skips.

    Values are compared exactly, so 87.21 and 87.21 tie and 87.2100 equals 87.21. Within a tie
    the order is by `sort_key` (the unit code), else by the key itself, so output never
    depends on input order.
    """
    label = sort_key or {}
    ordered = sorted(entries, key=lambda entry: label.get(entry[0], str(entry[0])))
    # Then by value, highest first: a stable sort (reverse=True keeps it stable) leaves equal
    # values in label order, without negating a thousand decimals for a descending key.
    ordered.sort(key=itemgetter(1), reverse=True)
    counts: dict[Decimal, int] = {}
    for _, value in ordered:
        counts[value] = counts.get(value, 0) + 1
    ranked: list[Ranked[KeyT]] = []
    rank = 0
    previous: Decimal | None = None
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranked.append(Ranked(key=key, value=value, rank=rank, tie_size=counts[value]))
    return ranked


def competition_rank(value: int | Decimal, ascending: Sequence[int | Decimal]) -> int:
    """A value's competition rank among `ascending` (all values, sorted, the value included):
    1 + how many are strictly greater, as SQL RANK() over value DESC. Equal values share a
    rank and the next rank skips, exactly as rank_with_ties ranks them."""
    return len(ascending) - bisect_right(ascending, value) + 1
