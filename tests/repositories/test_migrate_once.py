"""Replicas starting together: `par-index migrate` and `par-index load` run one at a time per
PostgreSQL database (an advisory lock), so one does the work and the others find it done; and no
release migrates a database that a newer release has already taken past what it knows.

The concurrent runs are real processes of the command line on a database made for the test. The
test takes the lock first and lets go only once all three wait on it, so each run is shown to
have waited, whatever the order in which the processes happened to start.
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import DatabaseSettings, Settings
from app.core.db import create_engine
from app.core.migration_lock import migration_lock
from app.core.migrations import (
    DatabaseAheadOfRelease,
    database_heads,
    migrate_database,
    script_heads,
)
from app.models import AuditEvent
from tests.databases import fresh_database

RUNS = 3
WAIT_FOR_WAITERS_S = 90.0
RUN_TIMEOUT_S = 180.0
WAITING = "waiting for another migration or load of this database to finish"
# A revision id that no migration of this release carries (ids are 12 hex digits).
NEWER_REVISION = "ffffffffffff"


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def settings_for(url: str) -> Settings:
    return Settings(database=DatabaseSettings(url=SecretStr(url)), database_url=None)


@pytest.fixture
async def fresh_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a new SQLite file, or a new database on the test's PostgreSQL server."""
    async with fresh_database(tmp_path, "migrate_once") as url:
        yield url


@pytest.fixture
async def fresh_engine(fresh_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings_for(fresh_database_url))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def postgres_only(fresh_engine: AsyncEngine) -> None:
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock exists on PostgreSQL; SQLite files are not shared")


async def start_cli(url: str, cwd: Path, *args: str) -> asyncio.subprocess.Process:
    # Its own working directory: no .env file of the checkout steers the process.
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        cwd=cwd,
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process) -> Run:
    stdout, stderr = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_S)
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def waiters(engine: AsyncEngine) -> int:
    """Sessions of this database queued for an advisory lock."""
    async with engine.connect() as connection:
        waiting = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
    return int(waiting or 0)


async def run_all_after_they_wait(
    engine: AsyncEngine, url: str, cwd: Path, *args: str
) -> list[Run]:
    """Start RUNS processes while holding the lock; release it once every one of them waits."""
    async with engine.connect() as holder, migration_lock(holder):
        processes = [await start_cli(url, cwd, *args) for _ in range(RUNS)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_FOR_WAITERS_S
        while await waiters(engine) < RUNS:
            if loop.time() > deadline or any(p.returncode is not None for p in processes):
                for process in processes:
                    if process.returncode is None:
                        process.kill()
                runs = [await finish(process) for process in processes]
                pytest.fail(f"not all {RUNS} runs waited for the lock: {runs}")
            await asyncio.sleep(0.2)
    return list(await asyncio.gather(*(finish(process) for process in processes)))


@pytest.mark.usefixtures("postgres_only")
class TestReplicasStartingTogether:
    async def test_three_migrations_one_migrates_the_others_wait_and_find_nothing_to_do(
        self, fresh_engine: AsyncEngine, fresh_database_url: str, tmp_path: Path
    ) -> None:
        head = ", ".join(sorted(script_heads()))

        runs = await run_all_after_they_wait(fresh_engine, fresh_database_url, tmp_path, "migrate")

        assert [run.returncode for run in runs] == [0] * RUNS, runs
        assert all(WAITING in run.stderr for run in runs)
        outcomes = sorted(run.stdout.strip() for run in runs)
        assert outcomes == [
            f"already at {head}: nothing to migrate",
            f"already at {head}: nothing to migrate",
            f"migrated from an empty database to {head}",
        ]
        assert await database_heads(fresh_engine) == script_heads()

    async def test_three_loads_at_once_load_each_data_set_once(
        self, fresh_engine: AsyncEngine, fresh_database_url: str, tmp_path: Path
    ) -> None:
        await migrate_database(settings_for(fresh_database_url))

        runs = await run_all_after_they_wait(
            fresh_engine, fresh_database_url, tmp_path, "load", "lamdong"
        )

        assert [run.returncode for run in runs] == [0] * RUNS, runs
        assert all(WAITING in run.stderr for run in runs)
        created = [run for run in runs if "lamdong: created nothing" not in run.stdout]
        assert len(created) == 1, runs
        assert "unit" in created[0].stdout
        async with fresh_engine.connect() as connection:
            loads = await connection.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "load", AuditEvent.entity_key == "lamdong")
            )
        assert loads == 1


class TestDatabaseOfANewerRelease:
    async def test_is_refused_and_left_as_it_was(
        self, fresh_engine: AsyncEngine, fresh_database_url: str
    ) -> None:
        settings = settings_for(fresh_database_url)
        await migrate_database(settings)
        async with fresh_engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :newer"), {"newer": NEWER_REVISION}
            )

        with pytest.raises(DatabaseAheadOfRelease, match=f"revision {NEWER_REVISION}, which"):
            await migrate_database(settings)

        assert await database_heads(fresh_engine) == {NEWER_REVISION}

    async def test_the_command_line_says_so_and_exits_1(
        self, fresh_engine: AsyncEngine, fresh_database_url: str, tmp_path: Path
    ) -> None:
        await migrate_database(settings_for(fresh_database_url))
        async with fresh_engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :newer"), {"newer": NEWER_REVISION}
            )

        run = await finish(await start_cli(fresh_database_url, tmp_path, "migrate"))

        assert run.returncode == 1
        assert run.stderr.startswith("Database migrated by a newer release: ")
        assert "a newer release has migrated it" in run.stderr


class TestMigrateDatabase:
    async def test_a_second_migration_finds_nothing_to_do(self, fresh_database_url: str) -> None:
        settings = settings_for(fresh_database_url)
        first = await migrate_database(settings)
        again = await migrate_database(settings)

        assert (first.before, first.after) == (set(), script_heads())
        assert (again.migrated, again.before, again.after) == (
            False,
            script_heads(),
            script_heads(),
        )
