"""Computed results kept in memory, dropped as soon as the database's data revision moves."""

from collections import OrderedDict
from collections.abc import Hashable


class ResultCache:
    """A bounded LRU of computed results, valid for one data revision.

    Every write bumps the revision in the same transaction, so any worker that sees a new
    revision knows all it computed before may be stale and starts afresh.
    """

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self.revision: int | None = None
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def sync(self, revision: int) -> None:
        if revision != self.revision:
            self._entries.clear()
            self.revision = revision

    def get(self, key: Hashable) -> object | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: object) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
