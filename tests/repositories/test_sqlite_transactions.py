"""SQLite transactions: writers wait their turn, reads that write a hint give way, times are UTC."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import DatabaseSettings, Settings
from app.core.db import WRITES, create_engine, create_session_factory, for_writes, get_session
from app.core.migrations import upgrade_connection
from app.core.result_cache import ResultCache
from app.models import ApiKey
from app.schemas.keys import ApiKeyCreate
from app.services.access.api_keys import ApiKeyService


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite file of its own, whatever database the run uses."""
    url = f"sqlite:///{tmp_path / 'transactions.sqlite3'}"
    engine = create_engine(
        Settings(database=DatabaseSettings(url=SecretStr(url)), database_url=None)
    )
    async with engine.begin() as connection:
        await connection.run_sync(upgrade_connection)
    yield engine
    await engine.dispose()


def api_key(name: str, created_at: datetime) -> ApiKey:
    return ApiKey(name=name, role="reader", prefix=name, key_hash=name * 8, created_at=created_at)


async def read_then_write(engine: AsyncEngine, name: str) -> None:
    """A write request's shape: read first, then write and commit."""
    async with AsyncSession(for_writes(engine)) as session:
        await session.scalar(select(func.count()).select_from(ApiKey))
        await asyncio.sleep(0.05)
        session.add(api_key(name, datetime.now(UTC)))
        await session.commit()


async def test_concurrent_writers_wait_their_turn(sqlite_engine: AsyncEngine) -> None:
    # With a deferred BEGIN the second writer got "database is locked" at once: a 500 that
    # schemathesis found with two workers. Writers now take the lock at BEGIN and wait.
    await asyncio.gather(*(read_then_write(sqlite_engine, f"k{n}") for n in range(3)))
    async with AsyncSession(sqlite_engine) as session:
        assert await session.scalar(select(func.count()).select_from(ApiKey)) == 3


async def test_a_read_gives_way_when_it_cannot_record_a_keys_use(
    sqlite_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with AsyncSession(sqlite_engine, expire_on_commit=False) as session:
        key = (
            await ApiKeyService(session).create_key(
                ApiKeyCreate(name="soc", role="reader"), actor=None
            )
        ).key
    async with AsyncSession(for_writes(sqlite_engine)) as writer:
        await writer.execute(select(1))  # BEGIN IMMEDIATE: holds the write lock
        async with AsyncSession(sqlite_engine) as reader:
            await reader.execute(text("PRAGMA busy_timeout=50"))
            principal = await ApiKeyService(reader).authenticate(key)
    assert principal.key_name == "soc"
    assert "last use of API key 1 not recorded (database is locked)" in caplog.text
    async with AsyncSession(sqlite_engine) as session:
        assert await session.scalar(select(ApiKey.last_used_at)) is None


@pytest.mark.parametrize(
    ("method", "writes"), [("GET", False), ("HEAD", False), ("POST", True), ("DELETE", True)]
)
async def test_request_sessions_write_unless_the_method_only_reads(
    sqlite_engine: AsyncEngine, method: str, writes: bool
) -> None:
    state = SimpleNamespace(
        session_factory=create_session_factory(sqlite_engine),
        result_cache=ResultCache(max_entries=1, check_interval_s=0),
    )
    request: Any = SimpleNamespace(method=method, app=SimpleNamespace(state=state))
    async for session in get_session(request):
        connection = await session.connection()
        assert connection.sync_connection is not None
        assert connection.sync_connection.get_execution_options().get(WRITES, False) is writes


async def test_timestamps_are_read_back_as_utc_with_their_offset(
    sqlite_engine: AsyncEngine,
) -> None:
    hanoi = timezone(timedelta(hours=7))
    async with AsyncSession(sqlite_engine) as session:
        session.add(api_key("naive", datetime(2025, 6, 20, 8, 0)))
        session.add(api_key("hanoi", datetime(2025, 6, 20, 15, 0, tzinfo=hanoi)))
        await session.commit()
    async with AsyncSession(sqlite_engine) as session:
        stored = {key.name: key.created_at for key in await session.scalars(select(ApiKey))}
    assert stored == {
        "naive": datetime(2025, 6, 20, 8, 0, tzinfo=UTC),
        "hanoi": datetime(2025, 6, 20, 8, 0, tzinfo=UTC),
    }
    assert all(value.utcoffset() == timedelta(0) for value in stored.values())
