"""Published-results imports: the figures the province published, per unit, beside our own."""

import asyncio
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.messages import message
from app.core.result_cache import ResultCache
from app.core.validation_messages import validation_message
from app.models import OrgUnit, PublishedResult
from app.repositories.imports import ImportRepository
from app.schemas.datasets import PublishedResultSpec
from app.schemas.imports import ImportMismatchRead, ImportReportRead
from app.services.imports.diff import Diff
from app.services.imports.parsing import ReadLimits, read_published
from app.services.imports.parsing.cells import cell_text, parse_score
from app.services.imports.parsing.limits import DEFAULT_LIMITS
from app.services.imports.parsing.problems import BadCell, ProblemLog
from app.services.imports.parsing.tables import TableRow
from app.services.imports.records import Attempt, ImportRecords
from app.services.publication.service import PublicationService
from app.services.registry.scores import active_in_year
from app.services.results.group_results import GroupResultService

_PUBLISHED_FIELDS = (
    "index_value",
    "published_rank",
    "published_position",
    "band_vi",
    "note",
    "source",
)

UnitSpecs = Sequence[tuple[OrgUnit, PublishedResultSpec]]


class PublishedImport:
    def __init__(
        self, session: AsyncSession, cache: ResultCache, *, limits: ReadLimits = DEFAULT_LIMITS
    ) -> None:
        self.session = session
        self.cache = cache
        self.limits = limits
        self.imports = ImportRepository(session)
        self.attempts = ImportRecords(session)

    async def run(self, attempt: Attempt, file: IO[bytes]) -> ImportReportRead:
        """Set each unit's published result of the year to the file's row; units the file
        leaves out keep theirs. The report lists published indices our scores disagree with."""
        year, options = attempt.year, attempt.options
        assessment_year = await self.attempts.lock_year(attempt)
        problems = ProblemLog()
        rows = await asyncio.to_thread(
            read_published, file, attempt.file_format, problems=problems, limits=self.limits
        )
        units = {unit.code: unit for unit in await self.imports.list_units()}
        sources = await self.imports.source_ids()
        specs = check_published(rows, year=year, units=units, sources=sources, problems=problems)
        attempt.counts.update(rows=len(rows))
        if problems:
            raise attempt.rejected(problems)
        stored = {row.unit_id: row for row in await self.imports.published_of_year(year)}
        diff = _diff_published(stored, specs)
        attempt.counts.update(diff.counts)
        mismatches = await self._mismatches(year, specs)
        if diff.is_empty or options.dry_run:
            return await self.attempts.finish(attempt, assessment_year, diff, mismatches=mismatches)
        await PublicationService(self.session, years=self.attempts.years).prepare_write(
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
        return await self.attempts.apply(
            attempt, assessment_year, diff, entity="published_result", mismatches=mismatches
        )

    async def _mismatches(self, year: int, specs: UnitSpecs) -> list[ImportMismatchRead]:
        """Published indices that differ from the index computed from stored leaf scores."""
        results = GroupResultService(self.session, self.cache, years=self.attempts.years)
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


def _diff_published(stored: Mapping[int, PublishedResult], specs: UnitSpecs) -> Diff:
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
    return diff


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
        spec = _row_spec(row, year=year, problems=problems)
        if spec is None:
            continue
        loc: list[str | int] = [row.sheet, row.number]
        unit = units.get(spec.unit)
        if unit is None:
            problems.add([*loc, "unit_code"], message("unit.unknown", code=spec.unit))
            continue
        if not active_in_year(unit, year):
            problems.add([*loc, "unit_code"], message("scores.unit-inactive-row", unit=spec.unit))
        if spec.source not in sources:
            problems.add([*loc, "source"], message("published.unknown-source", source=spec.source))
        if not any(value is not None for value in _spec_values(spec)[:4]):
            problems.add(loc, message("published.nothing"))
        if spec.unit in first:
            problems.add(
                [*loc, "unit_code"],
                message("published.unit-twice", unit=spec.unit, row=first[spec.unit]),
            )
            continue
        first[spec.unit] = row.number
        specs.append((unit, spec))
    return specs


def _row_spec(row: TableRow, *, year: int, problems: ProblemLog) -> PublishedResultSpec | None:
    """The row as a PublishedResultSpec, or None with its problems logged."""
    values = dict(row.values)
    loc: list[str | int] = [row.sheet, row.number]
    if row.sheet != "json":
        # CSV text may use a decimal comma, which the schema would not read.
        index = parse_score(values.get("index_value"))
        if isinstance(index, BadCell):
            problems.add([*loc, "index_value"], index.msg)
            return None
        values["index_value"] = index
    body = {"year": year, "unit": cell_text(values.pop("unit_code", None)) or None, **values}
    try:
        return PublishedResultSpec.model_validate(body)
    except ValidationError as error:
        for item in error.errors():
            column = "unit_code" if item["loc"][:1] == ("unit",) else item["loc"][0]
            problems.add([*loc, str(column)], validation_message(item))
        return None


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
