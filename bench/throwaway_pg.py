"""The local PostgreSQL server the benchmarks create and drop their throw-away databases on."""

import asyncpg

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
PG_ADMIN_DB = "postgres"


def pg_url(database: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


async def pg_admin(statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the maintenance database."""
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def pg_server_version() -> str:
    try:
        connection = await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB
        )
    except (OSError, asyncpg.PostgresError) as exc:
        return f"unreachable ({type(exc).__name__})"
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
