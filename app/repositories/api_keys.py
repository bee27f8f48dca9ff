"""API keys by hash, for authentication, and as a list for admins."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ApiKey


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

    async def touch(self, key_id: int, at: datetime) -> None:
        await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)
        )

    async def add(self, key: ApiKey) -> None:
        self.session.add(key)
        await self.session.flush()
