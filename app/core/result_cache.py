"""Computed results kept in memory, dropped as soon as the database's data revision moves."""

import time
from collections import OrderedDict
from collections.abc import Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session

# Session.info keys: the cache a request's session reports to, and whether it wrote.
CACHE_KEY = "result_cache"
WROTE_KEY = "revision_bumped"


class ResultCache:
    """A bounded LRU of computed results, valid for one data revision.

    Every write bumps the revision in the same transaction, so any worker that sees a new
    revision knows all it computed before may be stale and starts afresh. Reading the
    revision costs a database round trip, so a worker trusts its last reading for
    `check_interval_s`: another worker's write shows here within that interval, while this
    worker's own writes show at once (see `expire_after_own_commit`). On PostgreSQL another
    process's write shows at once too: its notice expires the reading (core/revision_feed.py),
    which then sets the longer interval of a fallback.
    """

    def __init__(self, max_entries: int = 512, check_interval_s: float = 0.0) -> None:
        self.max_entries = max_entries
        self.check_interval_s = check_interval_s
        self.revision: int | None = None
        self._checked_at = float("-inf")
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def needs_check(self) -> bool:
        return time.monotonic() - self._checked_at >= self.check_interval_s

    def expire(self) -> None:
        """Force the next reader to read the revision again."""
        self._checked_at = float("-inf")

    def sync(self, revision: int) -> None:
        self._checked_at = time.monotonic()
        if revision != self.revision:
            self._entries.clear()
            self.revision = revision

    def get(self, key: Hashable) -> object | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: object, *, revision: int | None) -> None:
        """Keep a result built from data read at `revision`, if that is still the current one.

        A build that read its data before a concurrent write may finish after another request
        has moved the cache to the write's revision; stored then, it would be served under the
        newer revision (and its ETag). Such a result is dropped: the next request builds anew.
        """
        if revision is None or revision != self.revision:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


@event.listens_for(Session, "after_commit")
def expire_after_own_commit(session: Session) -> None:
    """A session that bumped the revision makes its worker's cache re-read it at once."""
    if session.info.pop(WROTE_KEY, False):
        cache = session.info.get(CACHE_KEY)
        if isinstance(cache, ResultCache):
            cache.expire()
