"""Year revisions, audit events and import records."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, ImportRecord, YearRevision


class PublicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_revision(self, *, year: int, number: int) -> YearRevision | None:
        return await self.session.scalar(
            select(YearRevision).where(YearRevision.year == year, YearRevision.number == number)
        )

    async def list_revisions(self, year: int) -> Sequence[YearRevision]:
        result = await self.session.scalars(
            select(YearRevision).where(YearRevision.year == year).order_by(YearRevision.number)
        )
        return result.all()

    async def list_audit(
        self,
        *,
        unit_code: str | None,
        year: int | None,
        entity: str | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[AuditEvent], int]:
        conditions: list[ColumnElement[bool]] = []
        if unit_code is not None:
            conditions.append(AuditEvent.unit_code == unit_code)
        if year is not None:
            conditions.append(AuditEvent.year == year)
        if entity is not None:
            conditions.append(AuditEvent.entity == entity)
        total = await self.session.scalar(
            select(func.count()).select_from(AuditEvent).where(*conditions)
        )
        rows = await self.session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), total or 0

    async def list_imports(self, year: int) -> Sequence[ImportRecord]:
        result = await self.session.scalars(
            select(ImportRecord)
            .where(ImportRecord.year == year)
            .order_by(ImportRecord.created_at.desc(), ImportRecord.id.desc())
        )
        return result.all()

    def add(self, instance: YearRevision | AuditEvent | ImportRecord) -> None:
        self.session.add(instance)
