"""The liveness and readiness probes."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.config import Settings
from app.core.db import create_session_factory
from app.core.migrations import script_heads
from app.main import create_app
from tests.builders import assert_problem


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> FastAPI:
    """The app wired to the migrated test database, as the lifespan would wire it."""
    app = create_app(settings)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.migration_heads = script_heads()
    return app


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


class TestGetHealth:
    async def test_process_answers_ok(self, http: AsyncClient) -> None:
        response = await http.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


class TestGetReadiness:
    async def test_migrated_database_is_ready(self, http: AsyncClient) -> None:
        response = await http.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "database": "reachable",
            "migrations": "at head",
        }

    async def test_database_behind_the_latest_migration_is_not_ready(
        self, app: FastAPI, http: AsyncClient
    ) -> None:
        app.state.migration_heads = {"0123456789ab"}
        problem = assert_problem(await http.get("/readyz"), 503)
        assert "migration" in problem["detail"]

    async def test_unreachable_database_is_not_ready(
        self, app: FastAPI, http: AsyncClient, tmp_path: Path
    ) -> None:
        unreachable = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/db.sqlite3")
        app.state.engine = unreachable
        try:
            problem = assert_problem(await http.get("/readyz?lang=en"), 503)
        finally:
            await unreachable.dispose()
        assert "unreachable" in problem["detail"]
