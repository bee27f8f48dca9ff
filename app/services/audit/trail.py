"""The audit trail: every write records who, when, what, before → after and why."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent
from app.repositories.publication import PublicationRepository
from app.schemas.audit import AuditEventPage, AuditEventRead

# Session.info key under which the request's caller is named for the audit trail.
ACTOR_KEY = "actor"


class AuditService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.records = PublicationRepository(session)

    def record(
        self,
        *,
        action: str,
        entity: str,
        entity_key: str,
        year: int | None = None,
        unit_code: str | None = None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
        actor: str | None = None,
    ) -> None:
        """Add an event to the caller's transaction: it is kept exactly when the write is."""
        self.records.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=actor if actor is not None else self.session.info.get(ACTOR_KEY),
                action=action,
                entity=entity,
                entity_key=entity_key,
                year=year,
                unit_code=unit_code,
                before=before,
                after=after,
                reason=reason,
            )
        )

    async def list_events(
        self,
        *,
        unit_code: str | None,
        year: int | None,
        entity: str | None,
        limit: int,
        offset: int,
    ) -> AuditEventPage:
        rows, total = await self.records.list_audit(
            unit_code=unit_code, year=year, entity=entity, limit=limit, offset=offset
        )
        return AuditEventPage(
            items=[AuditEventRead.model_validate(row) for row in rows],
            total=total,
            limit=limit,
            offset=offset,
        )
