"""One schema migration or data load at a time per PostgreSQL database: an advisory lock.

Replicas that start together each run `par-index migrate` and `par-index load`. Under this lock
the first migrates and loads while the others wait, then find the schema at head and the data
present, and change nothing.

SQLite needs no such lock: its file belongs to one host, so replicas cannot share it, and a
migration runs in one transaction begun IMMEDIATE (SQLite's own database write lock), so a second
`migrate` on the same file waits at BEGIN for the first (up to the busy timeout, 5 s) and then
finds nothing to do.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Any bigint no other program takes on this database: the bytes of "PARINDEX".
MIGRATION_LOCK_KEY = int.from_bytes(b"PARINDEX", "big")


@asynccontextmanager
async def migration_lock(
    connection: AsyncConnection, *, on_wait: Callable[[], None] | None = None
) -> AsyncIterator[bool]:
    """Hold the lock on `connection` for the block; yields whether another holder made us wait.

    A session-level lock, not a transaction-level one: it outlives the commits made inside the
    block, and PostgreSQL releases it by itself if the process dies holding it.
    """
    if connection.dialect.name != "postgresql":
        yield False
        return
    key = {"key": MIGRATION_LOCK_KEY}
    waited = not await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key)
    if waited:
        if on_wait is not None:
            on_wait()
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
    await connection.commit()
    try:
        yield waited
    finally:
        await connection.rollback()
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        await connection.commit()
