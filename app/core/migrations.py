"""Alembic from inside the app: the config, upgrading, and whether the database is at head."""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str | None = None) -> Config:
    """The project's alembic.ini; a given URL overrides the one from settings."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url is not None:
        config.attributes["sqlalchemy.url"] = url
    return config


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Upgrade through an open connection (for callers already inside an event loop)."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def downgrade_connection(connection: Connection, revision: str = "base") -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def current_heads(connection: Connection) -> set[str]:
    """The revisions the database is at (empty before the first migration)."""
    # Quiet: readiness probes run this often, and the migration context logs at INFO.
    logger = logging.getLogger("alembic.runtime.migration")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        logger.setLevel(level)


async def database_heads(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(current_heads)
