"""Alembic from inside the app: the config, upgrading, and whether the database is at head."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import create_engine, for_writes
from app.core.errors import Conflict
from app.core.messages import Message, message
from app.core.migration_lock import migration_lock

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


def script_revisions() -> set[str]:
    """Every revision this release's migrations know, not only the heads."""
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


class DatabaseAheadOfRelease(Conflict):
    slug = "database-ahead-of-release"


@dataclass(frozen=True)
class MigrationOutcome:
    before: set[str]
    after: set[str]
    waited: bool

    @property
    def migrated(self) -> bool:
        return self.before != self.after


async def migrate_database(
    settings: Settings, *, on_wait: Callable[[], None] | None = None
) -> MigrationOutcome:
    """Upgrade to head under the migration lock, in one transaction; at head, change nothing.

    A database at a revision these migrations do not know was migrated by a newer release:
    it is refused untouched rather than handed to Alembic, which could only fail part-way.
    """
    engine = create_engine(settings)
    try:
        # Writes: on SQLite the transaction takes the database write lock at BEGIN.
        async with (
            for_writes(engine).connect() as connection,
            migration_lock(connection, on_wait=on_wait) as waited,
        ):
            before = await connection.run_sync(current_heads)
            unknown = before - script_revisions()
            if unknown:
                raise DatabaseAheadOfRelease(_ahead_detail(unknown))
            if before != script_heads():
                await connection.run_sync(upgrade_connection)
            after = await connection.run_sync(current_heads)
            await connection.commit()
        return MigrationOutcome(before=before, after=after, waited=waited)
    finally:
        await engine.dispose()


def _ahead_detail(unknown: set[str]) -> Message:
    return message("database.ahead", revisions=", ".join(sorted(unknown)))
