"""Imports of a year from the officials' files: checked in full, then applied all or nothing.

Every attempt leaves an ImportRecord. An applied, unchanged or dry-run import writes it in the
import's own transaction. A rejected one (422, or 409 for a frozen year) first rolls the data
transaction back, then writes the record in a transaction of its own, so the attempt is on file
while none of its data is; refusals before the file is identified (404, 413, 415) leave none.
"""

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.result_cache import ResultCache
from app.models import AssessmentYear, CriteriaSet, ImportRecord, OrgUnit, PublishedResult
from app.repositories.criteria import CriteriaRepository
from app.repositories.imports import ImportRepository
from app.repositories.publication import PublicationRepository
from app.repositories.revision import RevisionRepository
from app.schemas.base import format_decimal
from app.schemas.criteria import CriteriaSetPut
from app.schemas.datasets import PublishedResultSpec
from app.schemas.imports import (
    ImportKind,
    ImportMismatchRead,
    ImportOptions,
    ImportOutcome,
    ImportRecordRead,
    ImportReportRead,
)
from app.services.access.viewer import EDITORIAL
from app.services.audit.trail import AuditService
from app.services.imports.diff import Diff
from app.services.imports.parsing import read_criteria, read_published
from app.services.imports.parsing.cells import cell_text, parse_score
from app.services.imports.parsing.files import (
    CHUNK_BYTES,
    FileFormat,
    Progress,
    UnsupportedMediaType,
    detect_format,
)
from app.services.imports.parsing.problems import BadCell, ProblemLog
from app.services.imports.parsing.tables import TableRow
from app.services.imports.scores import ScoreImport
from app.services.publication.service import PublicationService, guard_write
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaService
from app.services.registry.scores import active_in_year
from app.services.registry.units import UnitService
from app.services.results.group_results import GroupResultService

HEAD_BYTES = 512


class ImportRejected(InvalidInput):
    title = "Import rejected"
    slug = "import-rejected"

    def __init__(self, detail: str, *, problems: ProblemLog) -> None:
        if problems.omitted:
            detail += f" The first {len(problems.items)} are listed; {problems.omitted} more."
        super().__init__(detail, errors=problems.items)
        self.problem_total = problems.total


@dataclass(frozen=True)
class ImportSource:
    """A file to import: a seekable binary stream, its name and its declared media type."""

    file: IO[bytes]
    file_name: str
    content_type: str | None = None


@dataclass
class Attempt:
    year: int
    options: ImportOptions
    file_name: str
    file_format: FileFormat
    sha256: str
    size_bytes: int
    actor: str | None
    revision: int = 0
    counts: dict[str, int] = field(default_factory=dict)


# --- Identifying the file (in a worker thread) ----------------------------------------------


@dataclass(frozen=True)
class FileFacts:
    file_format: FileFormat
    sha256: str
    size_bytes: int


def inspect_file(source: ImportSource) -> FileFacts:
    """Hash and measure the file, and tell its format (415 for anything else)."""
    digest = hashlib.sha256()
    size = 0
    source.file.seek(0)
    head = source.file.read(HEAD_BYTES)
    chunk = head
    while chunk:
        digest.update(chunk)
        size += len(chunk)
        chunk = source.file.read(CHUNK_BYTES)
    source.file.seek(0)
    if size == 0:
        raise InvalidInput("The file is empty.", errors=[Problem(["body", "file"], "empty file")])
    file_format = detect_format(
        file_name=source.file_name, content_type=source.content_type, head=head
    )
    return FileFacts(file_format, digest.hexdigest(), size)


# --- The service -------------------------------------------------------------------------------


class ImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.imports = ImportRepository(session)
        self.records = PublicationRepository(session)
        self.years = YearService(session, viewer=EDITORIAL)  # imports write draft years

    async def list_imports(self, year: int) -> list[ImportRecordRead]:
        await self.years.require_year(year)
        return [ImportRecordRead.model_validate(r) for r in await self.records.list_imports(year)]

    async def import_file(
        self,
        *,
        year: int,
        source: ImportSource,
        options: ImportOptions,
        actor: str | None = None,
        progress: Progress | None = None,
    ) -> ImportReportRead:
        """Check the whole file, then apply it in one transaction, or write nothing.

        The file sets, for each unit in it, all of that unit's leaf scores for the year (as
        PUT /scores does); criteria and published results are replaced per set and per unit.
        A file identical to what is stored is `unchanged` and writes nothing.
        """
        facts = await asyncio.to_thread(inspect_file, source)
        readers = _READABLE[options.kind]
        if facts.file_format not in readers:
            raise UnsupportedMediaType(
                f"A {options.kind} import reads {' or '.join(f.upper() for f in readers)}, "
                f"not {facts.file_format.upper()}."
            )
        if options.kind is ImportKind.CRITERIA and options.group is None:
            raise InvalidInput(
                "A criteria import needs the unit group.",
                errors=[Problem(["group"], "required for kind=criteria")],
            )
        attempt = Attempt(
            year=year,
            options=options,
            file_name=source.file_name or "upload",
            file_format=facts.file_format,
            sha256=facts.sha256,
            size_bytes=facts.size_bytes,
            actor=actor,
        )
        try:
            if options.kind is ImportKind.SCORES:
                return await self._scores(attempt, source, progress)
            if options.kind is ImportKind.CRITERIA:
                return await self._criteria(attempt, source)
            return await self._published(attempt, source)
        except (InvalidInput, Conflict) as error:
            await self.session.rollback()
            if isinstance(error, ImportRejected):
                problem_count = error.problem_total
            else:
                problem_count = max(len(error.errors), 1)
            await self._record(attempt, ImportOutcome.REJECTED, problem_count=problem_count)
            await self.session.commit()
            raise
        except BaseException:
            await self.session.rollback()
            raise

    async def _lock(self, attempt: Attempt) -> AssessmentYear:
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

    async def _scores(
        self, attempt: Attempt, source: ImportSource, progress: Progress | None
    ) -> ImportReportRead:
        options = attempt.options
        assessment_year = await self._lock(attempt)
        scores = ScoreImport(self.session)
        lookups = await scores.lookups(attempt.year)
        problems = ProblemLog()
        # A rejection rolls the staging table back with the rest of the transaction.
        checked = await scores.stage(
            source.file,
            attempt.file_format,
            lookups,
            missing_leaves=options.missing_leaves or "error",
            problems=problems,
            progress=progress,
        )
        attempt.counts.update(rows=checked.rows_read, units=len(checked.unit_ids))
        if problems:
            raise ImportRejected(
                f"{problems.total} problem(s) in {attempt.file_name}; nothing was imported.",
                problems=problems,
            )
        diff, changed_units = await scores.diff(checked)
        attempt.counts.update(diff.counts, zero_filled=checked.zero_filled)
        if diff.is_empty or options.dry_run:
            await scores.discard()
            return await self._finish(attempt, assessment_year, diff)
        await PublicationService(self.session, years=self.years).prepare_write(
            assessment_year, correction_reason=options.correction_reason, actor=attempt.actor
        )
        await scores.apply(checked, changed_units)
        await scores.discard()
        return await self._apply(attempt, assessment_year, diff, entity="scores")

    async def _criteria(self, attempt: Attempt, source: ImportSource) -> ImportReportRead:
        year, options = attempt.year, attempt.options
        group = options.group or ""
        assessment_year = await self._lock(attempt)
        unit_group = await UnitService(self.session).require_group(group)
        problems = ProblemLog()
        body, where = await asyncio.to_thread(
            read_criteria, source.file, attempt.file_format, group=group, problems=problems
        )
        data = None
        if not problems:
            try:
                data = CriteriaSetPut.model_validate(
                    {**body, "correction_reason": options.correction_reason}
                )
            except ValidationError as error:
                for item in error.errors():
                    problems.add(where(list(item["loc"])), item["msg"])
        if data is None:
            raise ImportRejected(
                f"{problems.total} problem(s) in {attempt.file_name}; nothing was imported.",
                problems=problems,
            )
        existing = await CriteriaRepository(self.session).get_set(year=year, group_id=unit_group.id)
        diff = diff_criteria(existing, data)
        attempt.counts.update(diff.counts, criteria=len(data.criteria), bands=len(data.bands))
        if diff.is_empty:
            return await self._finish(attempt, assessment_year, diff)
        trial = await self.session.begin_nested() if options.dry_run else None
        try:
            await CriteriaService(self.session, years=self.years).apply_criteria_set(
                year=year, group=group, data=data
            )
        except InvalidInput as error:
            for problem in error.errors:
                problems.add(where(list(problem.loc)[1:]), problem.msg)
            raise ImportRejected(
                f"{problems.total} problem(s) in {attempt.file_name}; nothing was imported.",
                problems=problems,
            ) from error
        if trial is not None:
            await trial.rollback()
            return await self._finish(attempt, assessment_year, diff)
        return await self._apply(attempt, assessment_year, diff, entity=None)

    async def _published(self, attempt: Attempt, source: ImportSource) -> ImportReportRead:
        year, options = attempt.year, attempt.options
        assessment_year = await self._lock(attempt)
        problems = ProblemLog()
        rows = await asyncio.to_thread(
            read_published, source.file, attempt.file_format, problems=problems
        )
        units = {unit.code: unit for unit in await self.imports.list_units()}
        sources = await self.imports.source_ids()
        specs = check_published(rows, year=year, units=units, sources=sources, problems=problems)
        attempt.counts.update(rows=len(rows))
        if problems:
            raise ImportRejected(
                f"{problems.total} problem(s) in {attempt.file_name}; nothing was imported.",
                problems=problems,
            )
        stored = {row.unit_id: row for row in await self.imports.published_of_year(year)}
        diff = Diff()
        for unit, spec in specs:
            before = stored.get(unit.id)
            diff.note(
                unit.code,
                None,
                _PUBLISHED_FIELDS,
                _published_values(before) if before is not None else None,
                (*_spec_values(spec), spec.source),
            )
        attempt.counts.update(diff.counts)
        mismatches = await self._mismatches(year, specs)
        if diff.is_empty or options.dry_run:
            return await self._finish(attempt, assessment_year, diff, mismatches=mismatches)
        await PublicationService(self.session, years=self.years).prepare_write(
            assessment_year, correction_reason=options.correction_reason, actor=attempt.actor
        )
        for unit, spec in specs:
            row = stored.get(unit.id)
            if row is None:
                row = PublishedResult(unit_id=unit.id, year=year)
                self.imports.add(row)
            (
                row.index_value,
                row.published_rank,
                row.published_position,
                row.band_vi,
                row.note,
            ) = _spec_values(spec)
            row.source_id = sources[spec.source]
        return await self._apply(
            attempt, assessment_year, diff, entity="published_result", mismatches=mismatches
        )

    async def _mismatches(
        self, year: int, specs: Sequence[tuple[OrgUnit, PublishedResultSpec]]
    ) -> list[ImportMismatchRead]:
        """Published indices that differ from the index computed from stored leaf scores."""
        results = GroupResultService(self.session, ResultCache(), years=self.years)
        groups = dict(await self.imports.list_groups())
        found = []
        for unit, spec in specs:
            if spec.index_value is None:
                continue
            snapshot = await results.group_year(year=year, group=groups[unit.group_id])
            outcome = snapshot.outcome_of(unit.id)
            if outcome is None or not outcome.has_scores or outcome.index is None:
                continue
            if outcome.index != spec.index_value:
                found.append(
                    ImportMismatchRead(
                        unit_code=unit.code, published=spec.index_value, computed=outcome.index
                    )
                )
        return found

    async def _apply(
        self,
        attempt: Attempt,
        assessment_year: AssessmentYear,
        diff: Diff,
        *,
        entity: str | None,
        mismatches: Sequence[ImportMismatchRead] = (),
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
        return await self._finish(
            attempt, assessment_year, diff, mismatches=mismatches, applied=True
        )

    async def _finish(
        self,
        attempt: Attempt,
        assessment_year: AssessmentYear,
        diff: Diff,
        *,
        mismatches: Sequence[ImportMismatchRead] = (),
        applied: bool = False,
    ) -> ImportReportRead:
        if applied:
            outcome = ImportOutcome.APPLIED
            attempt.revision = assessment_year.revision  # a correction opened a new one
        else:
            outcome = ImportOutcome.UNCHANGED if diff.is_empty else ImportOutcome.DRY_RUN
        record = await self._record(attempt, outcome)
        # Read before the commit, which may expire the record (expire_on_commit sessions).
        record_id, file_name = record.id, record.file_name
        await self.session.commit()
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
        )

    async def _record(
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


_READABLE: dict[ImportKind, tuple[FileFormat, ...]] = {
    ImportKind.SCORES: (FileFormat.CSV, FileFormat.XLSX, FileFormat.JSON),
    ImportKind.CRITERIA: (FileFormat.XLSX, FileFormat.JSON),
    ImportKind.PUBLISHED: (FileFormat.CSV, FileFormat.JSON),
}


# --- Criteria ----------------------------------------------------------------------------------

_NODE_FIELDS = ("name_vi", "name_en", "max_score", "method")


def diff_criteria(existing: CriteriaSet | None, data: CriteriaSetPut) -> Diff:
    """Per node code: added, changed (names, maximum, method), removed or unchanged; and the
    bands as one more key."""
    diff = Diff()
    stored = {node.code: node for node in existing.criteria} if existing else {}
    for node in data.criteria:
        before = stored.pop(node.code, None)
        diff.note(
            None,
            node.code,
            _NODE_FIELDS,
            None if before is None else _node_values(before),
            (
                node.name_vi,
                node.name_en,
                node.max_score,
                node.method.value if node.method else None,
            ),
        )
    for code, dropped in stored.items():
        diff.note(None, code, _NODE_FIELDS, _node_values(dropped), None)
    old_bands = (
        sorted((b.label_vi, b.label_en, b.min_index) for b in existing.bands) if existing else []
    )
    new_bands = sorted((b.label_vi, b.label_en, b.min_index) for b in data.bands)
    if old_bands != new_bands:
        diff.note(None, None, ("bands",), (_bands_text(old_bands),), (_bands_text(new_bands),))
    return diff


def _node_values(node: Any) -> tuple[str, str, Decimal, str | None]:
    return (node.name_vi, node.name_en, node.max_score, node.method or None)


def _bands_text(bands: Sequence[tuple[str, str, Decimal]]) -> str:
    return "; ".join(f"{vi} / {en} ≥ {format_decimal(low)}" for vi, en, low in bands)


# --- Published results -------------------------------------------------------------------------

_PUBLISHED_FIELDS = (
    "index_value",
    "published_rank",
    "published_position",
    "band_vi",
    "note",
    "source",
)


def check_published(
    rows: Sequence[TableRow],
    *,
    year: int,
    units: Mapping[str, OrgUnit],
    sources: Mapping[str, int],
    problems: ProblemLog,
) -> list[tuple[OrgUnit, PublishedResultSpec]]:
    """Each row as a PublishedResultSpec of a known unit active that year and a known source;
    a unit appears once, and a row publishes at least one figure."""
    specs: list[tuple[OrgUnit, PublishedResultSpec]] = []
    first: dict[str, int] = {}
    for row in rows:
        values = dict(row.values)
        loc: list[str | int] = [row.sheet, row.number]
        if row.sheet != "json":
            # CSV text may use a decimal comma, which the schema would not read.
            index = parse_score(values.get("index_value"))
            if isinstance(index, BadCell):
                problems.add([*loc, "index_value"], index.msg)
                continue
            values["index_value"] = index
        body = {
            "year": year,
            "unit": cell_text(values.pop("unit_code", None)) or None,
            **values,
        }
        try:
            spec = PublishedResultSpec.model_validate(body)
        except ValidationError as error:
            for item in error.errors():
                column = "unit_code" if item["loc"][:1] == ("unit",) else item["loc"][0]
                problems.add([*loc, str(column)], item["msg"])
            continue
        unit = units.get(spec.unit)
        if unit is None:
            problems.add([*loc, "unit_code"], f"unknown unit {spec.unit!r}")
            continue
        if not active_in_year(unit, year):
            problems.add([*loc, "unit_code"], f"unit {spec.unit!r} was not active in that year")
        if spec.source not in sources:
            problems.add([*loc, "source"], f"unknown source {spec.source!r}")
        if not any(value is not None for value in _spec_values(spec)[:4]):
            problems.add(loc, "the row publishes no index, rank, position or band")
        if spec.unit in first:
            problems.add(
                [*loc, "unit_code"],
                f"unit {spec.unit!r} appears twice; first on row {first[spec.unit]}",
            )
            continue
        first[spec.unit] = row.number
        specs.append((unit, spec))
    return specs


def _spec_values(
    spec: PublishedResultSpec,
) -> tuple[Decimal | None, int | None, str | None, str | None, str | None]:
    return (spec.index_value, spec.published_rank, spec.published_position, spec.band_vi, spec.note)


def _published_values(row: PublishedResult) -> tuple[Any, ...]:
    return (
        row.index_value,
        row.published_rank,
        row.published_position,
        row.band_vi,
        row.note,
        row.source.code,
    )
