"""Imports of a year from the officials' files: checked in full, then applied all or nothing.

Every attempt leaves an ImportRecord. An applied, unchanged or dry-run import writes it in the
import's own transaction. A rejected one (422, or 409 for a frozen year) first rolls the data
transaction back, then writes the record in a transaction of its own, so the attempt is on file
while none of its data is; refusals before the file is identified (404, 413, 415) leave none.
"""

import asyncio
import hashlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, InvalidInput, Problem
from app.models import AssessmentYear, CriteriaSet, ImportRecord, OrgUnit, PublishedResult
from app.models.enums import ScoringMethod
from app.repositories.criteria import CriteriaRepository
from app.repositories.imports import CriterionRow, ImportRepository, ScoreRecord
from app.repositories.publication import PublicationRepository
from app.repositories.revision import RevisionRepository
from app.schemas.base import format_decimal
from app.schemas.criteria import CriteriaSetPut
from app.schemas.datasets import PublishedResultSpec
from app.schemas.imports import (
    ImportChangeRead,
    ImportKind,
    ImportMismatchRead,
    ImportOptions,
    ImportOutcome,
    ImportRecordRead,
    ImportReportRead,
    MissingLeaves,
)
from app.services import import_parsing as parsing
from app.services.audit import AuditService
from app.services.criteria import CriteriaService
from app.services.criteria_tree import code_key, parent_code
from app.services.group_results import GroupResultService
from app.services.import_parsing import (
    BadCell,
    FileFormat,
    ProblemLog,
    Progress,
    RawScore,
    TableRow,
    UnsupportedMediaType,
)
from app.services.publication import PublicationService, guard_write
from app.services.result_cache import ResultCache
from app.services.scores import active_in_year
from app.services.units import UnitService
from app.services.years import YearService

CHANGE_LIMIT = 500
HEAD_BYTES = 512
# Distinct score texts remembered while checking; real files repeat a few hundred values.
PARSED_CACHE_LIMIT = 100_000
ZERO = Decimal(0)
_UNPARSED = BadCell("")
# (unit id, group id, active that year, the group's leaves by code or None without a set)
Leaf = tuple[int, Decimal, str | None]
UnitEntry = tuple[int, int, bool, dict[str, Leaf] | None]
Stored = tuple[Decimal | None, Decimal | None, str | None]


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


def pack(unit_id: int, criterion_id: int) -> int:
    """One int per (unit, criterion): a dict key without a tuple per row."""
    return unit_id << 32 | criterion_id


def _text(value: object) -> str | None:
    if value is None:
        return None
    return format_decimal(value) if isinstance(value, Decimal) else str(value)


# --- Scores: checking (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLookups:
    """What a scores file is checked against, loaded once per import."""

    units: dict[str, UnitEntry]
    group_ids: dict[str, int]
    inner: dict[int, frozenset[str]]
    # Per group, its leaves (code, criterion id) in tree order.
    leaf_order: dict[int, list[tuple[str, int]]]
    criteria_set_ids: list[int]

    @classmethod
    def build(
        cls,
        *,
        year: int,
        units: Iterable[OrgUnit],
        groups: Iterable[tuple[int, str]],
        criteria: Sequence[CriterionRow],
    ) -> "ScoreLookups":
        inner_codes: dict[int, set[str]] = {}
        for node in criteria:
            parent = parent_code(node.code)
            if parent is not None:
                inner_codes.setdefault(node.group_id, set()).add(parent)
        leaves: dict[int, dict[str, Leaf]] = {}
        set_ids: dict[int, int] = {}
        for node in sorted(criteria, key=lambda node: code_key(node.code)):
            set_ids[node.group_id] = node.criteria_set_id
            group_leaves = leaves.setdefault(node.group_id, {})
            if node.code not in inner_codes.get(node.group_id, ()):
                group_leaves[node.code] = (node.id, node.max_score, node.method)
        return cls(
            units={
                unit.code: (
                    unit.id,
                    unit.group_id,
                    active_in_year(unit, year),
                    leaves.get(unit.group_id),
                )
                for unit in units
            },
            group_ids={code: group_id for group_id, code in groups},
            inner={group_id: frozenset(codes) for group_id, codes in inner_codes.items()},
            leaf_order={
                group_id: [(code, leaf[0]) for code, leaf in group_leaves.items()]
                for group_id, group_leaves in leaves.items()
            },
            criteria_set_ids=sorted(set_ids.values()),
        )


@dataclass
class CheckedScores:
    """A checked file's rows in compact columns (ids as machine ints, shared Decimals)."""

    unit_ids: "array[int]" = field(default_factory=lambda: array("q"))
    criterion_ids: "array[int]" = field(default_factory=lambda: array("q"))
    self_scores: list[Decimal | None] = field(default_factory=list)
    final_scores: list[Decimal | None] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)
    rows_read: int = 0
    zero_filled: int = 0

    def records(self, units: set[int] | None = None) -> Iterator[ScoreRecord]:
        """(unit id, criterion id, self, final, note), only of `units` when given."""
        rows = zip(
            self.unit_ids,
            self.criterion_ids,
            self.self_scores,
            self.final_scores,
            self.notes,
            strict=True,
        )
        if units is None:
            return rows
        return (row for row in rows if row[0] in units)

    def unit_set(self) -> set[int]:
        return set(self.unit_ids)


def check_scores(
    rows: Iterable[RawScore],
    lookups: ScoreLookups,
    *,
    missing_leaves: MissingLeaves,
    problems: ProblemLog,
) -> CheckedScores:
    """Check every row of a scores file and keep the good ones compactly.

    A row needs a known unit, active in the year, whose group has a criteria set with the row's
    criterion as a leaf; on a group's sheet the unit must belong to that group. Scores are
    numbers from 0 to the leaf's maximum (a penalty's maximum is its cap) with at most four
    decimals; empty is null. A (unit, leaf) appears once, except that a group sheet and the
    `long` sheet may both give it when they agree on the final score (`long` adds self score
    and note). Each unit in the file must score every leaf of its group, unless missing leaves
    are scored zero. A unit-wide problem is reported at the unit's first row only.
    """
    checked = CheckedScores()
    unit_ids, criterion_ids = checked.unit_ids, checked.criterion_ids
    self_scores, final_scores, notes = checked.self_scores, checked.final_scores, checked.notes
    sheets: list[str] = []
    numbers: array[int] = array("q")
    seen: dict[int, int] = {}  # packed (unit, criterion) → row index, -1 for a rejected row
    first_rows: dict[int, tuple[str, int, int, bool]] = {}  # unit → sheet, row, group, wide
    reported: set[tuple[str, str]] = set()
    wide_sheets: set[str] = set()
    parsed: dict[str, Decimal | BadCell | None] = {}
    units, group_ids = lookups.units, lookups.group_ids

    def once(key: tuple[str, str], loc: list[str | int], msg: str) -> None:
        if key not in reported:
            reported.add(key)
            problems.add(loc, msg)

    def score(cell: parsing.Cell) -> Decimal | BadCell | None:
        if cell is None:
            return None
        if type(cell) is not str:
            return parsing.parse_score(cell)
        value = parsed.get(cell, _UNPARSED)
        if value is _UNPARSED:
            value = parsing.parse_score(cell)
            if len(parsed) < PARSED_CACHE_LIMIT:
                parsed[cell] = value
        return value

    count = 0
    for sheet, number, unit_code, code, self_cell, final_cell, note, sheet_group in rows:
        count += 1
        entry = units.get(unit_code)
        if entry is None:
            if not unit_code:
                once(
                    ("empty", f"{sheet}/{number}"),
                    [sheet, number, "unit_code"],
                    "unit_code is empty",
                )
            else:
                once(
                    ("unit", unit_code), [sheet, number, "unit_code"], f"unknown unit {unit_code!r}"
                )
            continue
        unit_id, group_id, active, leaves = entry
        wide = sheet_group is not None
        if wide:
            wide_sheets.add(sheet)
            sheet_group_id = group_ids.get(sheet_group)  # type: ignore[arg-type]
            if sheet_group_id is None:
                once(
                    ("sheet", sheet),
                    [sheet, 1],
                    f"sheet {sheet!r} is not named after a unit group (nor `long`, `about`, "
                    "`criteria`)",
                )
                continue
            if sheet_group_id != group_id:
                once(
                    ("wrong group", f"{sheet}/{number}"),
                    [sheet, number, "unit_code"],
                    f"unit {unit_code!r} is not in the group {sheet_group!r} of this sheet",
                )
                continue
        if not active:
            once(
                ("inactive", unit_code),
                [sheet, number, "unit_code"],
                f"unit {unit_code!r} was not active in that year",
            )
            continue
        if leaves is None:
            once(
                ("no criteria", unit_code),
                [sheet, number, "unit_code"],
                f"the group of unit {unit_code!r} has no criteria set that year",
            )
            continue
        if unit_id not in first_rows:
            first_rows[unit_id] = (sheet, number, group_id, wide)
        leaf = leaves.get(code)
        if leaf is None:
            column = code if wide else "criterion_code"
            if not code:
                problems.add([sheet, number, column], "criterion_code is empty")
            elif code in lookups.inner.get(group_id, ()):
                problems.add(
                    [sheet, number, column],
                    f"criterion {code!r} is not a leaf; scores go on its sub-criteria",
                )
            else:
                problems.add(
                    [sheet, number, column],
                    f"criterion {code!r} is not in the unit's criteria set for that year",
                )
            continue
        criterion_id, maximum, method = leaf
        key = unit_id << 32 | criterion_id  # pack(), inlined in this hot loop
        self_score = score(self_cell)
        final = score(final_cell)
        if (
            isinstance(self_score, BadCell)
            or isinstance(final, BadCell)
            or (self_score is not None and self_score > maximum)
            or (final is not None and final > maximum)
            or (note is not None and len(note) > parsing.NOTE_MAX_CHARS)
        ):
            cells = {"self_score": self_score, code if wide else "final_score": final}
            for column, value in cells.items():
                if isinstance(value, BadCell):
                    problems.add([sheet, number, column], value.msg)
                elif value is not None and value > maximum:
                    limit = "cap" if method == ScoringMethod.PENALTY else "maximum"
                    problems.add(
                        [sheet, number, column],
                        f"{format_decimal(value)} is above the {limit} "
                        f"{format_decimal(maximum)} of {code!r}",
                    )
            if note is not None and len(note) > parsing.NOTE_MAX_CHARS:
                problems.add(
                    [sheet, number, "note"], f"longer than {parsing.NOTE_MAX_CHARS} characters"
                )
            seen.setdefault(key, -1)
            continue
        assert not isinstance(self_score, BadCell)
        assert not isinstance(final, BadCell)
        earlier = seen.get(key)
        if earlier is not None:
            if earlier >= 0:
                _repeat(
                    checked,
                    earlier,
                    (sheet, number, unit_code, code, self_score, final, note, wide),
                    sheets=sheets,
                    numbers=numbers,
                    wide_sheets=wide_sheets,
                    problems=problems,
                )
            continue
        seen[key] = len(final_scores)
        unit_ids.append(unit_id)
        criterion_ids.append(criterion_id)
        self_scores.append(self_score)
        final_scores.append(final)
        notes.append(note)
        sheets.append(sheet)
        numbers.append(number)
    checked.rows_read = count
    for unit_id, (sheet, number, group_id, wide) in first_rows.items():
        missing = [
            (code, criterion_id)
            for code, criterion_id in lookups.leaf_order[group_id]
            if pack(unit_id, criterion_id) not in seen
        ]
        if not missing:
            continue
        if missing_leaves == "zero":
            for _code, criterion_id in missing:
                unit_ids.append(unit_id)
                criterion_ids.append(criterion_id)
                self_scores.append(None)
                final_scores.append(ZERO)
                notes.append(None)
            checked.zero_filled += len(missing)
            continue
        codes = [code for code, _ in missing]
        listed = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
        problems.add(
            [sheet, number, codes[0] if wide else "criterion_code"],
            f"{len(codes)} leaf/leaves of the unit have no score: {listed} "
            "(send missing_leaves=zero to score them 0)",
        )
    return checked


def _repeat(
    checked: CheckedScores,
    earlier: int,
    row: tuple[str, int, str, str, Decimal | None, Decimal | None, str | None, bool],
    *,
    sheets: list[str],
    numbers: "array[int]",
    wide_sheets: set[str],
    problems: ProblemLog,
) -> None:
    """A (unit, leaf) seen before: a group sheet and `long` agreeing merge; else a problem."""
    sheet, number, unit_code, code, self_score, final, note, wide = row
    where = f"row {numbers[earlier]}"
    if sheets[earlier] != sheet:
        where = f"sheet {sheets[earlier]!r} {where}"
    if (sheets[earlier] in wide_sheets) != wide:
        if checked.final_scores[earlier] == final:
            if not wide:
                checked.self_scores[earlier] = self_score
                checked.notes[earlier] = note
            return
        problems.add(
            [sheet, number, code if wide else "final_score"],
            f"final score {_text(final)} of {unit_code!r} on {code!r} differs from "
            f"{_text(checked.final_scores[earlier])} on {where}",
        )
        return
    problems.add(
        [sheet, number, code if wide else "criterion_code"],
        f"unit {unit_code!r} scores criterion {code!r} twice; first on {where}",
    )


# --- Scores: what changes (pure) ---------------------------------------------------------------

_SCORE_FIELDS = ("self_score", "final_score", "note")


@dataclass
class Diff:
    """Per key: added, changed, removed or unchanged; the first changes field by field."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
    )
    changes: list[ImportChangeRead] = field(default_factory=list)
    change_total: int = 0

    @property
    def is_empty(self) -> bool:
        return self.counts["added"] + self.counts["changed"] + self.counts["removed"] == 0

    def note(
        self,
        unit_code: str | None,
        criterion_code: str | None,
        fields: Sequence[str],
        before: Sequence[Any] | None,
        after: Sequence[Any] | None,
    ) -> None:
        """Count a key as added (no before), removed (no after), changed or unchanged."""
        if before == after:
            self.counts["unchanged"] += 1
            return
        self.counts["added" if before is None else "removed" if after is None else "changed"] += 1
        nothing = (None,) * len(fields)
        for name, old, new in zip(fields, before or nothing, after or nothing, strict=True):
            if old == new:
                continue
            self.change_total += 1
            if len(self.changes) < CHANGE_LIMIT:
                self.changes.append(
                    ImportChangeRead(
                        unit_code=unit_code,
                        criterion_code=criterion_code,
                        field=name,
                        before=_text(old),
                        after=_text(new),
                    )
                )


def diff_scores(
    checked: CheckedScores,
    stored: dict[int, Stored],
    *,
    unit_codes: Mapping[int, str],
    criterion_codes: Mapping[int, str],
) -> tuple[Diff, set[int]]:
    """The diff per (unit, leaf) against the stored scores of the file's units, and the units
    whose scores change (only those are rewritten). `stored` is consumed."""
    diff = Diff()
    changed_units: set[int] = set()
    counts = diff.counts
    for unit_id, criterion_id, self_score, final, note in checked.records():
        before = stored.pop(unit_id << 32 | criterion_id, None)  # pack(), inlined
        after = (self_score, final, note)
        if before == after:
            counts["unchanged"] += 1
            continue
        changed_units.add(unit_id)
        if before is None and len(diff.changes) >= CHANGE_LIMIT:
            # A new row once the list is full: only count (the common case of a first import).
            counts["added"] += 1
            diff.change_total += (self_score is not None) + (final is not None) + (note is not None)
            continue
        diff.note(unit_codes[unit_id], criterion_codes[criterion_id], _SCORE_FIELDS, before, after)
    for key, before in stored.items():
        unit_id, criterion_id = key >> 32, key & 0xFFFFFFFF
        changed_units.add(unit_id)
        diff.note(unit_codes[unit_id], criterion_codes[criterion_id], _SCORE_FIELDS, before, None)
    return diff, changed_units


# --- Reading in a worker thread ----------------------------------------------------------------


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
        chunk = source.file.read(parsing.CHUNK_BYTES)
    source.file.seek(0)
    if size == 0:
        raise InvalidInput("The file is empty.", errors=[Problem(["body", "file"], "empty file")])
    file_format = parsing.detect_format(
        file_name=source.file_name, content_type=source.content_type, head=head
    )
    return FileFacts(file_format, digest.hexdigest(), size)


def read_and_check_scores(
    source: ImportSource,
    file_format: FileFormat,
    lookups: ScoreLookups,
    *,
    missing_leaves: MissingLeaves,
    problems: ProblemLog,
    progress: Progress | None,
) -> CheckedScores:
    rows: Iterable[RawScore]
    if file_format is FileFormat.CSV:
        rows = parsing.read_scores_csv(source.file, problems=problems, progress=progress)
    elif file_format is FileFormat.XLSX:
        rows = parsing.read_scores_xlsx(source.file, problems=problems, progress=progress)
    else:
        rows = parsing.read_scores_json(source.file, problems=problems)
    return check_scores(rows, lookups, missing_leaves=missing_leaves, problems=problems)


# --- The service -------------------------------------------------------------------------------


class ImportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.imports = ImportRepository(session)
        self.records = PublicationRepository(session)
        self.years = YearService(session)

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
        year, options = attempt.year, attempt.options
        assessment_year = await self._lock(attempt)
        lookups = ScoreLookups.build(
            year=year,
            units=await self.imports.list_units(),
            groups=await self.imports.list_groups(),
            criteria=await self.imports.criteria_of_year(year),
        )
        problems = ProblemLog()
        checked = await asyncio.to_thread(
            read_and_check_scores,
            source,
            attempt.file_format,
            lookups,
            missing_leaves=options.missing_leaves or "error",
            problems=problems,
            progress=progress,
        )
        unit_ids = checked.unit_set()
        attempt.counts.update(rows=checked.rows_read, units=len(unit_ids))
        if problems:
            raise ImportRejected(
                f"{problems.total} problem(s) in {attempt.file_name}; nothing was imported.",
                problems=problems,
            )
        stored: dict[int, Stored] = {}
        for unit_id, criterion_id, self_score, final, note in await self.imports.stored_scores(
            unit_ids=sorted(unit_ids), criteria_set_ids=lookups.criteria_set_ids
        ):
            stored[pack(unit_id, criterion_id)] = (self_score, final, note or None)
        unit_codes = {entry[0]: code for code, entry in lookups.units.items()}
        criterion_codes = {
            criterion_id: code
            for order in lookups.leaf_order.values()
            for code, criterion_id in order
        }
        diff, changed_units = await asyncio.to_thread(
            diff_scores, checked, stored, unit_codes=unit_codes, criterion_codes=criterion_codes
        )
        attempt.counts.update(diff.counts, zero_filled=checked.zero_filled)
        if diff.is_empty or options.dry_run:
            return await self._finish(attempt, assessment_year, diff)
        await PublicationService(self.session).prepare_write(
            assessment_year, correction_reason=options.correction_reason, actor=attempt.actor
        )
        rewritten = sorted(changed_units)
        await self.imports.delete_scores(
            unit_ids=rewritten, criteria_set_ids=lookups.criteria_set_ids
        )
        await self.imports.insert_scores(checked.records(changed_units))
        return await self._apply(attempt, assessment_year, diff, entity="scores")

    async def _criteria(self, attempt: Attempt, source: ImportSource) -> ImportReportRead:
        year, options = attempt.year, attempt.options
        group = options.group or ""
        assessment_year = await self._lock(attempt)
        unit_group = await UnitService(self.session).require_group(group)
        problems = ProblemLog()
        body, where = await asyncio.to_thread(
            parsing.read_criteria, source.file, attempt.file_format, group=group, problems=problems
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
            await CriteriaService(self.session).apply_criteria_set(
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
            parsing.read_published, source.file, attempt.file_format, problems=problems
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
        await PublicationService(self.session).prepare_write(
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
        results = GroupResultService(self.session, ResultCache())
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
            index = parsing.parse_score(values.get("index_value"))
            if isinstance(index, BadCell):
                problems.add([*loc, "index_value"], index.msg)
                continue
            values["index_value"] = index
        body = {
            "year": year,
            "unit": parsing.cell_text(values.pop("unit_code", None)) or None,
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
