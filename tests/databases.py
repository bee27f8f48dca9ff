"""Empty databases of a test's own: a new SQLite file, or a new database on the
TEST_DATABASE_URL server, dropped afterwards."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.db import async_url


@asynccontextmanager
async def fresh_database(tmp_path: Path, label: str) -> AsyncIterator[str]:
    """The URL of an empty database named after `label` (and the test server's database, so
    it is recognisably this run's), dropped afterwards."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        return
    name = f"{make_url(server_url).database}_{label}_{uuid.uuid4().hex[:10]}"
    maintenance = create_async_engine(
        async_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with maintenance.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with maintenance.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await maintenance.dispose()
