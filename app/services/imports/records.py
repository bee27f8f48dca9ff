"""An import attempt: the year lock it works under, the record it leaves, the report it gives."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import InvalidInput
from app.core.messages import message
from app.models import AssessmentYear, ImportRecord
from app.repositories.publication import PublicationRepository
from app.repositories.revision import RevisionRepository
from app.schemas.imports import (
    ImportFigureMismatchRead,
    ImportMismatchRead,
    ImportOptions,
    ImportOutcome,
    ImportReportRead,
)
from app.services.access.viewer import EDITORIAL
from app.services.audit.trail import AuditService
from app.services.imports.diff import Diff
from app.services.imports.parsing.files import FileFormat
from app.services.imports.parsing.problems import ProblemLog
from app.services.imports.summaries import rejection_summaries, report_summaries
from app.services.publication.service import guard_write
from app.services.publication.years import YearService


class ImportRejected(InvalidInput):
    slug = "import-rejected"

    def __init__(self, *, file_name: str, problems: ProblemLog) -> None:
        detail = (
            message(
                "import.rejected-some-listed",
                count=problems.total,
                file=file_name,
                listed=len(problems.items),
                more=problems.omitted,
            )
            if problems.omitted
            else message("import.rejected", count=problems.total, file=file_name)
        )
        super().__init__(detail, errors=problems.items)
        self.problem_total = problems.total
        vi, en = rejection_summaries(file_name, problems.total, problems.items)
        self.extensions = {"summary_vi": vi, "summary_en": en}


@dataclass
class Attempt:
    """One import of one file: what was asked, what the file is, and what it came to."""

    year: int
    options: ImportOptions
    file_name: str
    file_format: FileFormat
    sha256: str
    size_bytes: int
    actor: str | None
    revision: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def rejected(self, problems: ProblemLog) -> ImportRejected:
        return ImportRejected(file_name=self.file_name, problems=problems)


class ImportRecords:
    """Opens an attempt (the year's lock and rules) and closes it: audit, revision, record."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.records = PublicationRepository(session)
        self.years = YearService(session, viewer=EDITORIAL)  # imports write draft years

    async def lock_year(self, attempt: Attempt) -> AssessmentYear:
        """The year's row lock (not for a dry run), then the frozen-year rule.

        This is the import's first read of the year, so the rule sees the state the lock
        protects (not an earlier read from this session's identity map).
        """
        options = attempt.options
        assessment_year = await self.years.require_year(
            attempt.year, for_update=not options.dry_run
        )
        attempt.revision = assessment_year.revision
        guard_write(assessment_year, correction_reason=options.correction_reason)
        return assessment_year

    async def apply(
        self,
        attempt: Attempt,
        assessment_year: AssessmentYear,
        diff: Diff,
        *,
        entity: str | None,
        mismatches: Sequence[ImportMismatchRead] = (),
        figure_mismatches: Sequence[ImportFigureMismatchRead] = (),
    ) -> ImportReportRead:
        """Audit (unless the write audited itself), bump the data revision, record, commit."""
        if entity is not None:
            AuditService(self.session).record(
                action="import",
                entity=entity,
                entity_key=f"{attempt.year}/import/{attempt.sha256[:12]}",
                year=attempt.year,
                after=attempt.counts,
                reason=attempt.options.correction_reason,
                actor=attempt.actor,
            )
        await RevisionRepository(self.session).bump()
        return await self.finish(
            attempt,
            assessment_year,
            diff,
            mismatches=mismatches,
            figure_mismatches=figure_mismatches,
            applied=True,
        )

    async def finish(
        self,
        attempt: Attempt,
        assessment_year: AssessmentYear,
        diff: Diff,
        *,
        mismatches: Sequence[ImportMismatchRead] = (),
        figure_mismatches: Sequence[ImportFigureMismatchRead] = (),
        applied: bool = False,
    ) -> ImportReportRead:
        """Record the attempt, commit, and report it."""
        if applied:
            outcome = ImportOutcome.APPLIED
            attempt.revision = assessment_year.revision  # a correction opened a new one
        else:
            outcome = ImportOutcome.UNCHANGED if diff.is_empty else ImportOutcome.DRY_RUN
        record = await self.record(attempt, outcome)
        # Read before the commit, which may expire the record (expire_on_commit sessions).
        record_id, file_name = record.id, record.file_name
        await self.session.commit()
        summary_vi, summary_en = report_summaries(
            file_name=file_name,
            outcome=outcome,
            counts=attempt.counts,
            figure_mismatches=len(figure_mismatches),
            published_mismatches=len(mismatches),
        )
        return ImportReportRead(
            id=record_id,
            year=attempt.year,
            kind=attempt.options.kind,
            outcome=outcome,
            dry_run=attempt.options.dry_run,
            file_name=file_name,
            file_format=attempt.file_format,
            sha256=attempt.sha256,
            size_bytes=attempt.size_bytes,
            counts=attempt.counts,
            changes=diff.changes,
            changes_omitted=diff.change_total - len(diff.changes),
            revision=attempt.revision,
            mismatches=list(mismatches),
            figure_mismatches=list(figure_mismatches),
            summary_vi=summary_vi,
            summary_en=summary_en,
        )

    async def record(
        self, attempt: Attempt, outcome: ImportOutcome, *, problem_count: int = 0
    ) -> ImportRecord:
        record = ImportRecord(
            year=attempt.year,
            kind=attempt.options.kind.value,
            file_name=attempt.file_name[:255],
            file_format=attempt.file_format.value,
            sha256=attempt.sha256,
            size_bytes=attempt.size_bytes,
            dry_run=attempt.options.dry_run,
            outcome=outcome.value,
            counts=dict(attempt.counts),
            problem_count=problem_count,
            revision=attempt.revision,
            actor=attempt.actor,
            created_at=datetime.now(UTC),
        )
        self.records.add(record)
        await self.session.flush()
        return record
