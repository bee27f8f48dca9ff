"""Computed results kept in memory, dropped as soon as the database's data revision moves."""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

# Session.info keys: the cache a request's session reports to, and whether it wrote.
CACHE_KEY = "result_cache"
WROTE_KEY = "revision_bumped"


@dataclass(frozen=True)
class Reading:
    """When a revision reading started, and at which expiry generation."""

    started_at: float
    generation: int


class ResultCache:
    """A bounded LRU of computed results, valid for one data revision.

    Every write bumps the revision in the same transaction, so any worker that sees a new
    revision knows all it computed before may be stale and starts afresh. Reading the
    revision costs a database round trip, so a worker trusts its last reading for
    `check_interval_s`: another worker's write shows here within that interval, while this
    worker's own writes show at once (see `expire_after_own_commit`). On PostgreSQL another
    process's write shows at once too: its notice expires the reading (core/revision_feed.py),
    which then sets the longer interval of a fallback.

    A reading that was under way when the cache was expired is not trusted: the write behind
    the expiry may have committed after the reading's snapshot. And requests that find the
    reading due together share one (`checked_revision`): under load they would otherwise
    each open a session for the same row, queueing on the pool, every interval.
    """

    def __init__(self, max_entries: int = 512, check_interval_s: float = 0.0) -> None:
        self.max_entries = max_entries
        self.check_interval_s = check_interval_s
        self.revision: int | None = None
        self._checked_at = float("-inf")
        self._generation = 0  # counts expiries
        self._reading: asyncio.Task[int] | None = None
        self._reading_generation = -1
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def needs_check(self) -> bool:
        return time.monotonic() - self._checked_at >= self.check_interval_s

    def expire(self) -> None:
        """Force the next reader to read the revision again."""
        self._checked_at = float("-inf")
        self._generation += 1

    def begin_reading(self) -> Reading:
        """Call before reading the revision; pass the result to `sync`."""
        return Reading(time.monotonic(), self._generation)

    def sync(self, revision: int, reading: Reading | None = None) -> None:
        """Take a revision read from the database, started as `reading` says (default: now)."""
        reading = reading or self.begin_reading()
        if reading.generation != self._generation:
            # Expired while it was read: it may predate the write; only a newer one is kept.
            if self.revision is None or revision > self.revision:
                self._adopt(revision)
            return
        self._checked_at = max(self._checked_at, reading.started_at)
        self._adopt(revision)

    async def checked_revision(self, read: Callable[[], Awaitable[int]]) -> int:
        """The revision, read with `read` when it is due; callers meanwhile share that reading."""
        if self.revision is not None and not self.needs_check():
            return self.revision
        task = self._reading
        if (
            task is None
            or task.done()
            or self._reading_generation != self._generation
            or task.get_loop() is not asyncio.get_running_loop()
        ):
            task = asyncio.ensure_future(self._read(read, self.begin_reading()))
            self._reading, self._reading_generation = task, self._generation
        # Shielded: a caller that goes away does not cancel the others' reading.
        return await asyncio.shield(task)

    async def _read(self, read: Callable[[], Awaitable[int]], reading: Reading) -> int:
        revision = await read()
        self.sync(revision, reading)
        return self.revision if self.revision is not None else revision

    def _adopt(self, revision: int) -> None:
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
