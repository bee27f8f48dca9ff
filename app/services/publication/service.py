"""Publishing a year, and corrections: the only way a published year's figures change."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, YearFrozen
from app.core.messages import message
from app.models import AssessmentYear, YearRevision
from app.models.enums import YearStatus
from app.repositories.publication import PublicationRepository
from app.repositories.revision import RevisionRepository
from app.schemas.audit import PublishRequest, YearRevisionRead
from app.schemas.years import YearRead
from app.services.audit.trail import AuditService
from app.services.publication.snapshots import capture
from app.services.publication.years import YearService, year_read
from app.services.webhooks.outbox import YEAR_CORRECTED, YEAR_PUBLISHED, WebhookOutbox, year_event


class AlreadyPublished(Conflict):
    slug = "already-published"


def guard_write(assessment_year: AssessmentYear, *, correction_reason: str | None) -> None:
    """A published year is frozen: refuse any change that does not say why it corrects it."""
    if assessment_year.status == YearStatus.PUBLISHED and not correction_reason:
        raise YearFrozen(message("year.frozen", year=assessment_year.year))


class PublicationService:
    def __init__(self, session: AsyncSession, *, years: YearService) -> None:
        self.session = session
        self.years = years
        self.records = PublicationRepository(session)
        self.audit = AuditService(session)
        self.outbox = WebhookOutbox(session)

    async def publish(
        self, *, year: int, data: PublishRequest, actor: str | None = None
    ) -> YearRead:
        assessment_year = await self.years.require_year(year, for_update=True)
        await self.apply_publish(assessment_year, data=data, actor=actor)
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return year_read(assessment_year)

    async def apply_publish(
        self, assessment_year: AssessmentYear, *, data: PublishRequest, actor: str | None
    ) -> None:
        """Freeze the year at revision 1; the caller holds the year's row lock."""
        if assessment_year.status == YearStatus.PUBLISHED:
            raise AlreadyPublished(message("year.already-published", year=assessment_year.year))
        before = {"status": assessment_year.status, "revision": assessment_year.revision}
        now = datetime.now(UTC)
        assessment_year.status = YearStatus.PUBLISHED.value
        assessment_year.published_at = now
        assessment_year.revision = 1
        if data.legal_basis is not None:
            assessment_year.legal_basis = data.legal_basis
        if data.note is not None:
            assessment_year.note = data.note
        self.records.add(
            YearRevision(
                year=assessment_year.year, number=1, kind="publish", actor=actor, created_at=now
            )
        )
        self.audit.record(
            action="publish",
            entity="year",
            entity_key=str(assessment_year.year),
            year=assessment_year.year,
            before=before,
            after={"status": "published", "revision": 1, "legal_basis": data.legal_basis},
            actor=actor,
        )
        await self.outbox.enqueue(YEAR_PUBLISHED, year_event(assessment_year, occurred_at=now))
        await self.session.flush()

    async def prepare_write(
        self, assessment_year: AssessmentYear, *, correction_reason: str | None, actor: str | None
    ) -> None:
        """Let a write through: freely on a draft; on a published year only as a correction.

        A correction keeps the current state as a snapshot of the current revision, then
        opens the next revision, so `?revision=N` can always reproduce what was published.
        The caller holds the year's row lock and makes the change in the same transaction.
        """
        if assessment_year.status != YearStatus.PUBLISHED:
            return
        guard_write(assessment_year, correction_reason=correction_reason)
        current = await self.records.get_revision(
            year=assessment_year.year, number=assessment_year.revision
        )
        snapshot = await capture(self.session, assessment_year.year)
        if current is None:
            current = YearRevision(
                year=assessment_year.year,
                number=assessment_year.revision,
                kind="publish",
                created_at=datetime.now(UTC),
            )
            self.records.add(current)
        current.snapshot = snapshot
        assessment_year.revision += 1
        self.records.add(
            YearRevision(
                year=assessment_year.year,
                number=assessment_year.revision,
                kind="correction",
                reason=correction_reason,
                actor=actor,
                created_at=datetime.now(UTC),
            )
        )
        self.audit.record(
            action="correct",
            entity="year",
            entity_key=str(assessment_year.year),
            year=assessment_year.year,
            before={"revision": assessment_year.revision - 1},
            after={"revision": assessment_year.revision},
            reason=correction_reason,
            actor=actor,
        )
        await self.outbox.enqueue(
            YEAR_CORRECTED,
            year_event(assessment_year, occurred_at=datetime.now(UTC), reason=correction_reason),
        )
        await self.session.flush()

    async def list_revisions(self, year: int) -> list[YearRevisionRead]:
        await self.years.require_year(year)
        return [YearRevisionRead.model_validate(r) for r in await self.records.list_revisions(year)]
