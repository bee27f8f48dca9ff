"""Async engine and session factory built from settings; the request-scoped session dependency."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core.config import Settings
from app.core.result_cache import CACHE_KEY

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(raw: str) -> URL:
    """Map sqlite:// and postgresql:// (with or without a sync driver) to the async drivers."""
    url = make_url(raw)
    if url.drivername == "postgres":
        url = url.set(drivername="postgresql")
    backend = url.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    return url.set(drivername=_ASYNC_DRIVERS[backend])


# Execution option marking an engine whose transactions will write (see _prepare_sqlite).
WRITES = "par_index_writes"
# Requests of these methods only read; any other request runs its transactions for writing.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def for_writes(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for transactions that will write (IMMEDIATE on SQLite)."""
    return engine.execution_options(**{WRITES: True})


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """Enforce foreign keys and let SQLAlchemy own transactions, so SAVEPOINTs work.

    pysqlite's own transaction handling defers BEGIN and breaks savepoints; the SQLAlchemy docs
    ("Serializable isolation / Savepoints / Transactional DDL") give this recipe.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that has read cannot wait for another writer when it comes to
        # write: SQLite answers "database is locked" at once (the wait could deadlock). One
        # that will write therefore takes the write lock at BEGIN and waits its turn there.
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def ensure_sqlite_directory(url: URL) -> None:
    """SQLite creates the file but not its folder (./var on a fresh clone)."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(settings: Settings) -> AsyncEngine:
    url = async_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        engine = create_async_engine(url, echo=settings.database.echo)
        _prepare_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        echo=settings.database.echo,
        pool_size=settings.database.pool_size,
        max_overflow=settings.database.max_overflow,
        pool_pre_ping=True,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Open a session for one request; anything not committed by a service is rolled back."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    bind = factory.kw.get("bind")
    if request.method not in READ_METHODS and isinstance(bind, AsyncEngine):
        opened = factory(bind=for_writes(bind))
    else:
        opened = factory()
    async with opened as session:
        # Lets a committed write expire this worker's result cache (services/result_cache.py).
        session.info[CACHE_KEY] = request.app.state.result_cache
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
