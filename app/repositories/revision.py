"""The data revision counter."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.result_cache import WROTE_KEY
from app.models import DataRevision


class RevisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self) -> int:
        revision = await self.session.scalar(
            select(DataRevision.revision).where(DataRevision.id == 1)
        )
        return revision or 0

    async def bump(self) -> None:
        """Count one more change; on PostgreSQL this also serialises concurrent writers."""
        self.session.info[WROTE_KEY] = True
        await self.session.execute(
            update(DataRevision)
            .where(DataRevision.id == 1)
            .values(revision=DataRevision.revision + 1)
        )
