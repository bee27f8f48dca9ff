"""Scores imports: rows checked as the file streams past, staged in the database, diffed and
applied there, so memory is bounded by the year's tree (units × leaves), not by the file."""

import asyncio
from collections.abc import Iterator, Sequence
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.imports import ImportRepository
from app.repositories.score_staging import ScoreChange, ScoreStagingRepository, StoredTotals
from app.repositories.staging_table import StagedRow
from app.schemas.imports import (
    ImportFigureMismatchRead,
    ImportReportRead,
)
from app.schemas.vocabularies import MissingLeaves
from app.services.imports import figures as sheet_figures
from app.services.imports.diff import CHANGE_LIMIT, Diff
from app.services.imports.parsing import WideSheetChecks, read_scores
from app.services.imports.parsing.files import FileFormat, Progress
from app.services.imports.parsing.limits import DEFAULT_LIMITS, ReadLimits
from app.services.imports.parsing.problems import ProblemLog
from app.services.imports.records import Attempt, ImportRecords
from app.services.imports.score_checks import ScoreChecker
from app.services.imports.score_lookups import ScoreLookups
from app.services.publication.service import PublicationService

# Rows per staging write: big enough that COPY's per-call cost vanishes, small enough to hold.
STAGE_ROWS = 10_000
_SCORE_FIELDS = ("self_score", "final_score", "note")


def next_chunk(chunks: Iterator[list[StagedRow]]) -> list[StagedRow]:
    """Read and check the file's next chunk of rows (in a worker thread); [] at the end."""
    return next(chunks, [])


class ScoreImport:
    """One scores file: checked while it streams into the staging table, diffed against the
    stored scores and applied there, inside the import's transaction."""

    def __init__(self, session: AsyncSession, *, limits: ReadLimits = DEFAULT_LIMITS) -> None:
        self.session = session
        self.limits = limits
        self.imports = ImportRepository(session)
        self.staging = ScoreStagingRepository(session)
        self.attempts = ImportRecords(session)

    async def run(
        self, attempt: Attempt, file: IO[bytes], progress: Progress | None
    ) -> ImportReportRead:
        """For each unit in the file, replace all of its leaf scores of the year (as PUT
        /scores does); a rejection rolls the staging table back with the rest."""
        options = attempt.options
        assessment_year = await self.attempts.lock_year(attempt)
        problems = ProblemLog()
        lookups = await self.lookups(attempt.year)
        checks = WideSheetChecks(maxima=lookups.leaf_maxima)
        checked = await self.stage(
            file,
            attempt.file_format,
            lookups,
            missing_leaves=options.missing_leaves or "error",
            problems=problems,
            progress=progress,
            checks=checks,
        )
        attempt.counts.update(rows=checked.rows_read, units=len(checked.unit_ids))
        if problems:
            raise attempt.rejected(problems)
        diff, changed_units = await self.diff(checked)
        attempt.counts.update(diff.counts, zero_filled=checked.zero_filled)
        mismatches = await self.figure_mismatches(checked, checks)
        if diff.is_empty or options.dry_run:
            await self.discard()
            return await self.attempts.finish(
                attempt, assessment_year, diff, figure_mismatches=mismatches
            )
        await PublicationService(self.session, years=self.attempts.years).prepare_write(
            assessment_year, correction_reason=options.correction_reason, actor=attempt.actor
        )
        await self.apply(checked, changed_units)
        await self.discard()
        return await self.attempts.apply(
            attempt, assessment_year, diff, entity="scores", figure_mismatches=mismatches
        )

    async def figure_mismatches(
        self, checker: ScoreChecker, checks: WideSheetChecks
    ) -> list[ImportFigureMismatchRead]:
        """The group sheets' totals, indices and ranks that differ from the service's figures
        for the scores staged (`figures.FigureCheck`)."""
        if not checks.figures:
            return []
        units = sheet_figures.figure_units(checker, checks.figures)
        finals = await self.staging.staged_finals(unit_ids=checker.unit_ids)
        totals = sheet_figures.unit_totals(finals, sheet_figures.penalty_leaves(checker))
        check = sheet_figures.FigureCheck(checker, totals)
        return check.mismatches(checks.figures, units, checker.lookups.unit_codes())

    async def lookups(self, year: int) -> ScoreLookups:
        return ScoreLookups.build(
            year=year,
            units=await self.imports.list_units(),
            groups=await self.imports.group_names(),
            criteria=await self.imports.criteria_of_year(year),
        )

    async def stage(
        self,
        source_file: IO[bytes],
        file_format: FileFormat,
        lookups: ScoreLookups,
        *,
        missing_leaves: MissingLeaves,
        problems: ProblemLog,
        progress: Progress | None,
        chunk_rows: int | None = None,
        checks: WideSheetChecks | None = None,
    ) -> ScoreChecker:
        """Check every row, staging the good ones a chunk at a time; `problems` gets them all.

        The worker thread reads and checks one chunk while the event loop waits; the loop then
        writes it to the staging table, so one chunk is in memory at a time.
        """
        checker = ScoreChecker(lookups, missing_leaves=missing_leaves, problems=problems)
        rows = read_scores(
            source_file,
            file_format,
            problems=problems,
            progress=progress,
            limits=self.limits,
            checks=checks,
        )
        chunks = checker.chunks(rows, size=chunk_rows or STAGE_ROWS)
        await self.staging.create()
        while chunk := await asyncio.to_thread(next_chunk, chunks):
            await self.staging.add(chunk)
        if checker.repeats:
            self_sheets = checker.self_sheets
            total = await self.staging.count_conflicts(self_sheets=self_sheets)
            if total:
                unit_codes, criterion_codes = lookups.unit_codes(), lookups.criterion_codes()
                found = await self.staging.conflicts(self_sheets=self_sheets, limit=problems.limit)
                for conflict in found:
                    problem = checker.conflict_problem(
                        conflict, unit_codes=unit_codes, criterion_codes=criterion_codes
                    )
                    problems.add_at(2 * conflict.seq + 1, problem.loc, problem.msg)
                problems.count_more(total - len(found))
        return checker

    async def diff(self, checker: ScoreChecker) -> tuple[Diff, list[int]]:
        """Per (unit, leaf), the staged rows against the stored scores of the file's units, and
        the units whose scores change (only those are rewritten).

        The first CHANGE_LIMIT changed fields are listed: the file's rows in file order, then
        stored scores the file leaves out, by unit and criterion id.
        """
        lookups = checker.lookups
        await self.staging.keep_stored_fields(self_sheets=checker.self_sheets)
        if checker.repeats:
            await self.staging.merge_repeats()
        stored = await self.staging.stored_totals(
            unit_ids=checker.unit_ids, criteria_set_ids=lookups.criteria_set_ids
        )
        diff = Diff()
        counts = diff.counts
        changed_units: list[int] = []
        removing: list[int] = []
        change_total = 0
        for totals in await self.staging.unit_totals():
            stored_rows, stored_fields = stored.get(totals.unit_id, StoredTotals(0, 0))
            added = totals.rows - totals.matched
            removed = stored_rows - totals.matched
            counts["added"] += added
            counts["changed"] += totals.changed
            counts["removed"] += removed
            counts["unchanged"] += totals.matched - totals.changed
            change_total += totals.changed_fields + stored_fields - totals.matched_stored_fields
            if added or removed or totals.changed:
                changed_units.append(totals.unit_id)
            if removed:
                removing.append(totals.unit_id)
        if not changed_units:
            return diff, changed_units
        unit_codes, criterion_codes = lookups.unit_codes(), lookups.criterion_codes()

        def listed(rows: Sequence[ScoreChange]) -> None:
            for row in rows:
                diff.list_changes(
                    unit_codes[row.unit_id],
                    criterion_codes[row.criterion_id],
                    _SCORE_FIELDS,
                    (row.stored_self_score, row.stored_final_score, row.stored_note),
                    (row.self_score, row.final_score, row.note),
                )

        listed(await self.staging.changes(limit=CHANGE_LIMIT))
        if removing and len(diff.changes) < CHANGE_LIMIT:
            listed(
                await self.staging.removals(
                    unit_ids=removing,
                    criteria_set_ids=lookups.criteria_set_ids,
                    limit=CHANGE_LIMIT - len(diff.changes),
                )
            )
        diff.change_total = change_total
        return diff, changed_units

    async def apply(self, checker: ScoreChecker, changed_units: Sequence[int]) -> None:
        """Replace the changed units' scores of the year by their staged rows."""
        rewritten = sorted(changed_units)
        await self.imports.delete_scores(
            unit_ids=rewritten, criteria_set_ids=checker.lookups.criteria_set_ids
        )
        every_unit = len(rewritten) == len(checker.unit_ids)
        await self.staging.insert_scores(unit_ids=None if every_unit else rewritten)

    async def discard(self) -> None:
        """Drop the staging table (before the import's COMMIT)."""
        await self.staging.drop()
