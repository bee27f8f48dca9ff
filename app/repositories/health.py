"""What the readiness probe asks the database: does it answer, and at which migration is it."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.migrations import current_heads


class HealthRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def ping(self) -> None:
        await self.connection.execute(text("SELECT 1"))

    async def migration_heads(self) -> set[str]:
        return await self.connection.run_sync(current_heads)
