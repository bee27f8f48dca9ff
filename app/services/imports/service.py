"""Imports of a year from the officials' files: checked in full, then applied all or nothing.

Every attempt leaves an ImportRecord. An applied, unchanged or dry-run import writes it in the
import's own transaction. A rejected one (422, or 409 for a frozen year) first rolls the data
transaction back, then writes the record in a transaction of its own, so the attempt is on file
while none of its data is; refusals before the file is identified (404, 413, 415) leave none.
"""

import asyncio
import hashlib
from dataclasses import dataclass
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.messages import message
from app.core.result_cache import ResultCache
from app.repositories.publication import PublicationRepository
from app.schemas.imports import (
    ImportKind,
    ImportOptions,
    ImportOutcome,
    ImportRecordRead,
    ImportReportRead,
)
from app.services.access.viewer import EDITORIAL
from app.services.imports.annotate import annotated_workbook
from app.services.imports.criteria import CriteriaImport
from app.services.imports.parsing.files import (
    CHUNK_BYTES,
    FileFormat,
    Progress,
    UnsupportedMediaType,
    detect_format,
)
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.published import PublishedImport
from app.services.imports.records import Attempt, ImportRecords, ImportRejected
from app.services.imports.scores import ScoreImport
from app.services.publication.years import YearService

HEAD_BYTES = 512

_READABLE: dict[ImportKind, tuple[FileFormat, ...]] = {
    ImportKind.SCORES: (FileFormat.CSV, FileFormat.XLSX, FileFormat.JSON),
    ImportKind.CRITERIA: (FileFormat.XLSX, FileFormat.JSON),
    ImportKind.PUBLISHED: (FileFormat.CSV, FileFormat.JSON),
}


@dataclass(frozen=True)
class ImportSource:
    """A file to import: a seekable binary stream, its name and its declared media type."""

    file: IO[bytes]
    file_name: str
    content_type: str | None = None


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
        raise InvalidInput(
            message("file.empty"), errors=[Problem(["body", "file"], message("file.empty-short"))]
        )
    file_format = detect_format(
        file_name=source.file_name, content_type=source.content_type, head=head
    )
    return FileFacts(file_format, digest.hexdigest(), size)


# --- The service -------------------------------------------------------------------------------


class ImportService:
    """Imports of scores, criteria sets and published results; `cache` is the app's result
    cache, which a published-results import reads its computed indices through, and `limits`
    bound what a file may unpack to and hold."""

    def __init__(
        self, session: AsyncSession, cache: ResultCache, *, limits: ReadLimits = DEFAULT_LIMITS
    ) -> None:
        self.session = session
        self.cache = cache
        self.limits = limits
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
        attempt = await self._attempt(year=year, source=source, options=options, actor=actor)
        try:
            if options.kind is ImportKind.SCORES:
                score_import = ScoreImport(self.session, limits=self.limits)
                return await score_import.run(attempt, source.file, progress)
            if options.kind is ImportKind.CRITERIA:
                criteria_import = CriteriaImport(self.session, limits=self.limits)
                return await criteria_import.run(attempt, source.file)
            published_import = PublishedImport(self.session, self.cache, limits=self.limits)
            return await published_import.run(attempt, source.file)
        except (InvalidInput, Conflict) as error:
            await self.session.rollback()
            if isinstance(error, ImportRejected):
                problem_count = error.problem_total
            else:
                problem_count = max(len(error.errors), 1)
            await ImportRecords(self.session).record(
                attempt, ImportOutcome.REJECTED, problem_count=problem_count
            )
            await self.session.commit()
            raise
        except BaseException:
            await self.session.rollback()
            raise

    async def annotated(
        self, source: ImportSource, rejection: ImportRejected, *, max_bytes: int
    ) -> bytes | None:
        """The refused workbook with each problem cell filled and commented, and a sheet
        listing them all (`annotate.annotated_workbook`); None for another format, or a
        workbook too large or too damaged to hold whole."""
        facts = await asyncio.to_thread(inspect_file, source)
        if facts.file_format is not FileFormat.XLSX:
            return None
        summaries = (
            str(rejection.extensions["summary_vi"]),
            str(rejection.extensions["summary_en"]),
        )
        return await asyncio.to_thread(
            annotated_workbook,
            source.file,
            rejection.errors,
            summaries=summaries,
            limits=self.limits,
            max_bytes=max_bytes,
        )

    async def _attempt(
        self, *, year: int, source: ImportSource, options: ImportOptions, actor: str | None
    ) -> Attempt:
        """The file identified, and refused (415, 422) unless this kind of import reads it."""
        facts = await asyncio.to_thread(inspect_file, source)
        readers = _READABLE[options.kind]
        if facts.file_format not in readers:
            raise UnsupportedMediaType(
                message(
                    "file.kind-reads",
                    kind=options.kind.value,
                    formats=" / ".join(f.upper() for f in readers),
                    format=facts.file_format.upper(),
                )
            )
        if options.kind is ImportKind.CRITERIA and options.group is None:
            raise InvalidInput(
                message("file.criteria-group"),
                errors=[Problem(["group"], message("file.criteria-group-short"))],
            )
        return Attempt(
            year=year,
            options=options,
            file_name=source.file_name or "upload",
            file_format=facts.file_format,
            sha256=facts.sha256,
            size_bytes=facts.size_bytes,
            actor=actor,
        )
