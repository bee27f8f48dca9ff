"""Test database migrated once per run (SQLite, or PostgreSQL via TEST_DATABASE_URL), data sets
loaded once, and each test inside a transaction that is rolled back."""

import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import DatabaseSettings, DatasetSettings, RateLimitSettings, Settings
from app.core.db import create_engine, get_session
from app.core.migrations import script_heads, upgrade_connection
from app.core.result_cache import CACHE_KEY
from app.datasets.demo import build_demo_bundle
from app.datasets.lamdong import build_lamdong_bundle
from app.dependencies import get_address_resolver
from app.main import create_app
from app.schemas.keys import ApiKeyCreate, RoleName
from app.services.access.api_keys import ApiKeyService
from app.services.registry.datasets import DatasetLoader, LoadReport
from app.services.webhooks.receivers import IPAddress


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run last: Playwright's sync API keeps an event loop running in the
    main thread until the session ends, and the async tests after it could not run theirs."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)


def _test_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    url = _test_url(tmp_path_factory.mktemp("db"))
    return Settings(
        database=DatabaseSettings(url=SecretStr(url)),
        database_url=None,
        datasets=DatasetSettings(load_demo=True),
        # Enabled, so the middleware runs, but out of reach; tests/api/test_http_edge.py builds
        # its own apps with low limits.
        rate_limit=RateLimitSettings(
            anonymous_reads_per_minute=1_000_000,
            writes_per_minute=1_000_000,
            keyed_reads_per_minute=1_000_000,
        ),
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(upgrade_connection)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def load_reports(engine: AsyncEngine) -> dict[str, LoadReport]:
    """The bundled data sets, committed once for the whole run (tests roll back their writes)."""
    reports = {}
    for bundle in (build_lamdong_bundle(), build_demo_bundle()):
        async with AsyncSession(engine, expire_on_commit=False) as session:
            reports[bundle.name] = await DatasetLoader(session).load(bundle)
    return reports


@pytest.fixture
async def session(
    engine: AsyncEngine, load_reports: dict[str, LoadReport]
) -> AsyncIterator[AsyncSession]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


# A public address for the receivers' names in tests; never contacted (deliveries in tests go
# through mock transports, or to 127.0.0.1).
PUBLIC_ADDRESS = "93.184.215.14"


class TableResolver:
    """Resolves host names from a table, so no test asks real DNS; other names do not resolve."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        addresses = self.table.get(host.lower())
        if addresses is None:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the test's table")
        return [ip_address(address) for address in addresses]


@pytest.fixture
def resolver() -> TableResolver:
    return TableResolver(
        {
            "receiver.test": [PUBLIC_ADDRESS],
            "other.test": [PUBLIC_ADDRESS],
            "hooks.example": [PUBLIC_ADDRESS],
            "localhost": ["127.0.0.1", "::1"],
        }
    )


AppBuilder = Callable[..., FastAPI]


@pytest.fixture
def build_app(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, resolver: TableResolver
) -> AppBuilder:
    """Apps with some settings changed (`build_app(rate_limit=...)`), wired as `app` is."""

    def build(*, release: Callable[[], str] | None = None, **changes: Any) -> FastAPI:
        app_settings = settings.model_copy(update=changes) if changes else settings
        app = create_app(app_settings, release=release) if release else create_app(app_settings)
        # ASGITransport does not run the lifespan: give the app the test engine directly.
        app.state.engine = engine
        app.state.migration_heads = script_heads()
        session.info[CACHE_KEY] = app.state.result_cache
        app.dependency_overrides[get_session] = lambda: session
        app.dependency_overrides[get_address_resolver] = lambda: resolver

        @asynccontextmanager
        async def same_session() -> AsyncIterator[AsyncSession]:
            yield session

        # The caching middleware reads the data revision through the factory: the test's
        # session.
        app.state.session_factory = same_session
        return app

    return build


@pytest.fixture
def app(build_app: AppBuilder) -> FastAPI:
    """The app on the test's session, inside its rolled-back transaction."""
    return build_app()


async def api_key(session: AsyncSession, role: RoleName) -> str:
    """A fresh key with the given role, inside the test's transaction."""
    created = await ApiKeyService(session).create_key(
        ApiKeyCreate(name=f"test {role}", role=role), actor=None
    )
    return created.key


@asynccontextmanager
async def http_client(app: FastAPI, key: str | None = None) -> AsyncIterator[AsyncClient]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
        yield http


@pytest.fixture
async def client(app: FastAPI, session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """An admin's client: most tests exercise behaviour; tests/api/test_access.py, access."""
    async with http_client(app, await api_key(session, "admin")) as http:
        yield http


@pytest.fixture
async def anonymous_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with http_client(app) as http:
        yield http
