"""Data revision changes pushed to every process through PostgreSQL LISTEN/NOTIFY.

A write bumps the revision and sends `NOTIFY par_index_revision` in the same transaction
(repositories/revision.py), so the notice goes out at commit, never for a write that rolled
back, and never before its data is visible. Each process listens on one connection of its own,
outside the pool, and expires its result cache on every notice: the next request reads the
revision and drops what it computed. Measured from commit to the new ETag on another process:
bench/coherence.py.

The periodic check stays as the fallback, with two intervals: `cache.revision_check_ms` while
no listener is connected (SQLite, PostgreSQL unreachable, `cache.push=false`), and the longer
`cache.push_check_ms` while one is, for a notice lost with a connection that died silently.
On every (re)connection the cache is expired too: notices sent while it was down are gone.

Why not Redis pub/sub: PUBLISH would run after the commit, from the process that wrote, and is
lost if that process dies in between; NOTIFY is part of the transaction itself.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import asyncpg
from sqlalchemy.engine import make_url

from app.core.config import CacheSettings, Settings
from app.core.result_cache import ResultCache

CHANNEL: Final = "par_index_revision"
# How the listening connections show in pg_stat_activity.
APPLICATION_NAME: Final = "par-index revision listener"
# A connection is checked this often, so one that died without a word is replaced.
KEEPALIVE_S: Final = 5.0
CONNECT_TIMEOUT_S: Final = 5.0
RETRY_AFTER_S: Final = (0.5, 1.0, 2.0, 5.0)

logger = logging.getLogger(__name__)


def listener_dsn(database_url: str) -> str | None:
    """The asyncpg DSN of a PostgreSQL URL (any driver), or None for another database."""
    url = make_url(database_url)
    if url.get_backend_name() not in {"postgresql", "postgres"}:
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class RevisionListener:
    """Keeps one LISTEN connection open, reconnecting, and expires `cache` on every notice."""

    def __init__(self, dsn: str, cache: ResultCache, settings: CacheSettings) -> None:
        self._dsn = dsn
        self._cache = cache
        self._pushed_interval_s = settings.push_check_ms / 1000
        self._polled_interval_s = settings.revision_check_ms / 1000
        self._task: asyncio.Task[None] | None = None
        self.notices = 0
        self.connected = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="revision-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_notice(self, *_args: Any) -> None:
        self.notices += 1
        self._cache.expire()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen()
                failures = 0
            except Exception as exc:  # whatever ended it, polling covers while it reconnects
                # The URL may hold a password: name the error only.
                logger.warning("revision listener disconnected (%s)", type(exc).__name__)
            finally:
                self._fall_back_to_polling()
            await asyncio.sleep(RETRY_AFTER_S[min(failures, len(RETRY_AFTER_S) - 1)])
            failures += 1

    async def _listen(self) -> None:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT_S,
            server_settings={"application_name": APPLICATION_NAME},
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANNEL, self._on_notice)
            # Notices sent before LISTEN took effect are lost: read the revision afresh.
            self._cache.expire()
            self._cache.check_interval_s = self._pushed_interval_s
            self.connected.set()
            while not connection.is_closed():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), timeout=KEEPALIVE_S)
                if lost.is_set():
                    return
                await connection.fetchval("SELECT 1", timeout=KEEPALIVE_S)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=1)

    def _fall_back_to_polling(self) -> None:
        self.connected.clear()
        self._cache.check_interval_s = self._polled_interval_s
        self._cache.expire()


@asynccontextmanager
async def pushed_revisions(
    settings: Settings, cache: ResultCache
) -> AsyncIterator[RevisionListener | None]:
    """A running listener for a PostgreSQL database with pushing on; None otherwise (polling)."""
    dsn = listener_dsn(settings.effective_database_url)
    if dsn is None or not settings.cache.push:
        yield None
        return
    listener = RevisionListener(dsn, cache, settings.cache)
    listener.start()
    # Serve once listening, so no write between start-up and the first notice goes unseen
    # for a whole fallback period; a database that cannot be reached delays start-up this long.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(listener.connected.wait(), timeout=CONNECT_TIMEOUT_S)
    try:
        yield listener
    finally:
        await listener.stop()
