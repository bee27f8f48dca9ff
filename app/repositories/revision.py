"""The data revision counter."""

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.result_cache import WROTE_KEY
from app.core.revision_feed import CHANNEL
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
        """Count one more change; on PostgreSQL this also serialises concurrent writers, and
        tells every listening process at commit (NOTIFY is transactional: nothing is sent for a
        write that rolls back, and identical notices of one transaction are sent once)."""
        self.session.info[WROTE_KEY] = True
        await self.session.execute(
            update(DataRevision)
            .where(DataRevision.id == 1)
            .values(revision=DataRevision.revision + 1)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(select(func.pg_notify(CHANNEL, "")))
