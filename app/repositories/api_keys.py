"""API keys by hash, for authentication, and as a list for admins."""

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ApiKey

logger = logging.getLogger(__name__)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        return await self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

    async def get(self, key_id: int) -> ApiKey | None:
        return await self.session.get(ApiKey, key_id)

    async def list_keys(self) -> Sequence[ApiKey]:
        result = await self.session.scalars(select(ApiKey).order_by(ApiKey.id))
        return result.all()

    async def touch(self, key_id: int, at: datetime) -> bool:
        """Record a use of the key; False, with nothing written, when the database is busy.

        Reads write this too, in transactions that do not hold SQLite's write lock: when
        another request holds it, SQLite refuses at once rather than wait. The time is a hint
        for admins, so the read goes on; a savepoint keeps the caller's transaction usable.
        """
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)
                )
        except OperationalError as exc:
            logger.warning("last use of API key %s not recorded (%s)", key_id, exc.orig)
            return False
        return True

    async def add(self, key: ApiKey) -> None:
        self.session.add(key)
        await self.session.flush()
