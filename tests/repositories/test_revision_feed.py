"""The revision listener on PostgreSQL: notices expire the cache, only committed writes send
one, and a lost connection falls back to polling and comes back."""

import asyncio
import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import CacheSettings, Settings
from app.core.result_cache import ResultCache
from app.core.revision_feed import (
    APPLICATION_NAME,
    CHANNEL,
    RevisionListener,
    listener_dsn,
    pushed_revisions,
)
from app.repositories.revision import RevisionRepository

PUSHED_S, POLLED_S = 30.0, 0.1

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="LISTEN/NOTIFY is PostgreSQL's; set TEST_DATABASE_URL=postgresql://…",
)


@pytest.fixture
async def dsn(settings: Settings) -> str:
    found = listener_dsn(settings.effective_database_url)
    assert found is not None
    return found


@pytest.fixture
async def listening(settings: Settings) -> AsyncIterator[tuple[RevisionListener, ResultCache]]:
    cache = ResultCache(check_interval_s=POLLED_S)
    cache_settings = CacheSettings(revision_check_ms=100, push_check_ms=30_000)
    async with pushed_revisions(
        settings.model_copy(update={"cache": cache_settings}), cache
    ) as listener:
        assert listener is not None
        assert listener.connected.is_set()
        yield listener, cache


async def notices_after(listener: RevisionListener, seen: int, *, within: float = 2.0) -> int:
    for _ in range(int(within / 0.01)):
        if listener.notices > seen:
            break
        await asyncio.sleep(0.01)
    return listener.notices


async def test_a_connected_listener_trusts_its_reading_longer_and_a_notice_expires_it(
    listening: tuple[RevisionListener, ResultCache], dsn: str
) -> None:
    listener, cache = listening
    assert cache.check_interval_s == PUSHED_S
    cache.sync(1)
    assert not cache.needs_check()
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f"NOTIFY {CHANNEL}")
    finally:
        await connection.close()
    assert await notices_after(listener, 0) == 1
    assert cache.needs_check()


async def test_a_write_that_rolls_back_notifies_no_one(
    listening: tuple[RevisionListener, ResultCache], engine: AsyncEngine
) -> None:
    listener, _ = listening
    async with AsyncSession(engine) as session:
        await RevisionRepository(session).bump()
        await session.rollback()
    assert await notices_after(listener, 0, within=0.5) == 0


async def test_a_lost_connection_falls_back_to_polling_then_reconnects(
    listening: tuple[RevisionListener, ResultCache], dsn: str
) -> None:
    listener, cache = listening
    connection = await asyncpg.connect(dsn)
    try:
        terminated = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
        assert terminated == 1
        for _ in range(200):
            if not listener.connected.is_set():
                break
            await asyncio.sleep(0.01)
        assert cache.check_interval_s == POLLED_S
        await asyncio.wait_for(listener.connected.wait(), timeout=10)
        assert cache.check_interval_s == PUSHED_S
        await connection.execute(f"NOTIFY {CHANNEL}")
        assert await notices_after(listener, 0) == 1
    finally:
        await connection.close()
