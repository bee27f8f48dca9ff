"""A database that cannot be reached: 503 problem+json with Retry-After, counted in metrics."""

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from app.core.config import DatabaseSettings, Settings, WebhookSettings
from app.core.db import create_engine, create_session_factory
from app.core.migrations import script_heads
from app.main import create_app
from tests.builders import assert_problem
from tests.conftest import http_client

RETRY_AFTER_S = 7


def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def unreachable_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        return f"postgresql://postgres@127.0.0.1:{closed_port()}/par_index"
    # A directory where the database file should be: SQLite cannot open it.
    return f"sqlite:///{tmp_path}"


@pytest.fixture(params=["postgresql", "sqlite"])
async def unreachable_app(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> AsyncIterator[FastAPI]:
    """The app with its own engine, pointed at a database that is not there."""
    url = unreachable_url(request.param, tmp_path)
    changed = settings.model_copy(
        update={
            "database": DatabaseSettings(url=SecretStr(url), retry_after_s=RETRY_AFTER_S),
            "webhooks": WebhookSettings(enabled=False),
            # Problem types name the public address: not the database's host, which the
            # answers are searched for.
            "public_url": "https://chiso.example",
        }
    )
    app = create_app(changed)
    engine = create_engine(changed)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.migration_heads = script_heads()
    yield app
    await engine.dispose()


class TestDatabaseUnreachable:
    @pytest.mark.parametrize(
        ("method", "path", "key"),
        [
            ("GET", "/api/v1/groups", None),
            ("GET", "/api/v1/years/2024/rankings/department", None),
            ("GET", "/api/v1/units", "par_some-key"),
            ("POST", "/api/v1/units", "par_some-key"),
        ],
    )
    async def test_requests_answer_503_with_retry_after(
        self, unreachable_app: FastAPI, method: str, path: str, key: str | None
    ) -> None:
        async with http_client(unreachable_app, key) as http:
            response = await http.request(method, path, json={} if method == "POST" else None)
        body = assert_problem(response, 503)
        assert body["type"].endswith("/database-unavailable")
        assert response.headers["Retry-After"] == str(RETRY_AFTER_S)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Request-ID"]
        assert "127.0.0.1" not in response.text

    async def test_outages_are_counted_in_metrics(self, unreachable_app: FastAPI) -> None:
        async with http_client(unreachable_app) as http:
            for _ in range(3):
                assert (await http.get("/api/v1/groups")).status_code == 503
            text = (await http.get("/metrics")).text
        assert "database_unavailable_total 3.0" in text
        assert 'http_requests_total{method="GET",route="/api/v1/groups",status="5xx"} 3.0' in text

    async def test_readiness_says_not_ready(self, unreachable_app: FastAPI) -> None:
        async with http_client(unreachable_app) as http:
            response = await http.get("/readyz")
        assert assert_problem(response, 503)["type"].endswith("/not-ready")
