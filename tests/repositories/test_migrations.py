"""The migrations build exactly the models' schema, on the run's database and on an empty one."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import SecretStr
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import DatabaseSettings, Settings
from app.core.db import create_engine
from app.core.migrations import (
    database_heads,
    downgrade_connection,
    script_heads,
    upgrade_connection,
)
from app.models import Base
from tests.databases import fresh_database


def schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.fixture
async def empty_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables: a new SQLite file, or a new database on the test server."""
    async with fresh_database(tmp_path, "roundtrip") as url:
        yield url


@pytest.fixture
async def empty_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(
        Settings(database=DatabaseSettings(url=SecretStr(empty_database_url)), database_url=None)
    )
    try:
        yield engine
    finally:
        await engine.dispose()


class TestMigratedTestDatabase:
    async def test_has_no_autogenerate_diff_against_the_models(self, engine: AsyncEngine) -> None:
        async with engine.connect() as connection:
            diff = await connection.run_sync(schema_diff)
        assert diff == []

    async def test_is_at_the_script_head(self, engine: AsyncEngine) -> None:
        assert await database_heads(engine) == script_heads()


class TestRoundTripOnEmptyDatabase:
    async def test_upgrade_downgrade_upgrade_leaves_the_models_schema(
        self, empty_engine: AsyncEngine
    ) -> None:
        async with empty_engine.connect() as connection:
            assert await connection.run_sync(table_names) == set()

        async with empty_engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
        async with empty_engine.connect() as connection:
            assert await connection.run_sync(schema_diff) == []
            assert await connection.run_sync(table_names) >= set(Base.metadata.tables)
        assert await database_heads(empty_engine) == script_heads()

        async with empty_engine.begin() as connection:
            await connection.run_sync(downgrade_connection)
        async with empty_engine.connect() as connection:
            assert await connection.run_sync(table_names) <= {"alembic_version"}
        assert await database_heads(empty_engine) == set()

        async with empty_engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
        async with empty_engine.connect() as connection:
            assert await connection.run_sync(schema_diff) == []
        assert await database_heads(empty_engine) == script_heads()


class TestIndexesTheModelsDeclare:
    async def test_leaf_scores_unique_index_carries_the_final_score(
        self, engine: AsyncEngine
    ) -> None:
        # Autogenerate does not compare INCLUDE columns, so the migration is checked here.
        if engine.dialect.name != "postgresql":
            pytest.skip("INCLUDE columns exist on PostgreSQL only")
        async with engine.connect() as connection:
            definition = await connection.scalar(
                text(
                    "SELECT indexdef FROM pg_indexes "
                    "WHERE indexname = 'uq_leaf_score_criterion_id_unit_id'"
                )
            )
        assert definition is not None
        assert definition.endswith("(criterion_id, unit_id) INCLUDE (final_score)")
