"""Scores imports: rows checked as the file streams past, staged in the database, diffed and
applied there, so memory is bounded by the year's tree (units × leaves), not by the file."""

import asyncio
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import OrgUnit
from app.models.enums import ScoringMethod
from app.repositories.imports import CriterionRow, ImportRepository
from app.repositories.score_staging import (
    Conflict,
    ScoreChange,
    ScoreStagingRepository,
    StagedScore,
)
from app.schemas.base import format_decimal
from app.schemas.imports import MissingLeaves
from app.services.imports.diff import CHANGE_LIMIT, Diff, change_text
from app.services.imports.parsing import read_scores
from app.services.imports.parsing.cells import NOTE_MAX_CHARS, Cell, RawScore, parse_score
from app.services.imports.parsing.files import FileFormat, Progress
from app.services.imports.parsing.problems import BadCell, ProblemLog
from app.services.registry.criteria_tree import code_key, parent_code
from app.services.registry.scores import active_in_year

# Rows per staging write: big enough that COPY's per-call cost vanishes, small enough to hold.
STAGE_ROWS = 10_000
# Distinct score texts remembered while checking; real files repeat a few hundred values.
PARSED_CACHE_LIMIT = 100_000
# Distinct unknown unit codes reported once each; past this many, each row is reported.
REPORTED_LIMIT = 100_000
ZERO = Decimal(0)
_UNPARSED = BadCell("")
# A leaf: (criterion id, maximum, method, its position among the group's leaves).
Leaf = tuple[int, Decimal, str | None, int]
# A unit: (id, group id, active that year, its group's leaves by code or None without a set).
UnitEntry = tuple[int, int, bool, dict[str, Leaf] | None]
# What a file has given so far for one (unit, leaf): one byte per leaf of the unit's group.
UNSEEN, LONG_ROW, WIDE_ROW, BAD_ROW = 0, 1, 2, 3
_SCORE_FIELDS = ("self_score", "final_score", "note")


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
                leaf = (node.id, node.max_score, node.method, len(group_leaves))
                group_leaves[node.code] = leaf
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

    def unit_codes(self) -> dict[int, str]:
        return {entry[0]: code for code, entry in self.units.items()}

    def criterion_codes(self) -> dict[int, str]:
        return {
            criterion_id: code for order in self.leaf_order.values() for code, criterion_id in order
        }


# --- Checking, in a worker thread (pure) -------------------------------------------------------


class ScoreChecker:
    """Checks a scores file row by row and hands on the good rows in chunks, keeping nothing
    per row: per unit one byte per leaf of its group and where the unit first appears.

    A row needs a known unit, active in the year, whose group has a criteria set with the row's
    criterion as a leaf; on a group's sheet the unit must belong to that group. Scores are
    numbers from 0 to the leaf's maximum (a penalty's maximum is its cap) with at most four
    decimals; empty is null. A (unit, leaf) appears once, except that a group sheet and the
    `long` sheet may both give it when they agree on the final score (`long` adds self score
    and note). Each unit in the file must score every leaf of its group, unless missing leaves
    are scored zero. A unit-wide problem is reported at the unit's first row only.

    A (unit, leaf) given again is staged as a repeat: whether it is a problem, and where its
    first row was, is answered in SQL (`ScoreStagingRepository.conflicts`), so no row is kept.
    Problems are placed at position 2 × the row's place in the file + 1 (`ProblemLog`).
    """

    def __init__(
        self, lookups: ScoreLookups, *, missing_leaves: MissingLeaves, problems: ProblemLog
    ) -> None:
        self.lookups = lookups
        self.missing_leaves = missing_leaves
        self.problems = problems
        self.sheets: list[str] = []
        self.rows_read = 0
        self.repeats = 0
        self.zero_filled = 0
        self.unit_ids: list[int] = []  # units with scores to store, known at the end
        self._seen: dict[int, bytearray] = {}
        # unit → sheet, row, group, wide: where a unit-wide problem is reported
        self._first: dict[int, tuple[str, int, int, bool]] = {}

    def chunks(
        self, rows: Iterable[RawScore], *, size: int = STAGE_ROWS
    ) -> Iterator[list[StagedScore]]:
        """The checked rows in file order, then the zero-filled leaves, `size` at a time."""
        problems, lookups = self.problems, self.lookups
        units, group_ids, leaf_order = lookups.units, lookups.group_ids, lookups.leaf_order
        seen_of, first = self._seen, self._first
        sheet_ids: dict[str, int] = {}
        reported: set[tuple[str, str]] = set()
        last_row: dict[str, tuple[str, int]] = {}  # a problem reported once per sheet row
        parsed: dict[str, Decimal | BadCell | None] = {}
        chunk: list[StagedScore] = []

        def once(key: tuple[str, str], loc: list[str | int], msg: str) -> None:
            if key not in reported:
                if len(reported) < REPORTED_LIMIT:
                    reported.add(key)
                problems.add(loc, msg)

        def once_per_row(
            kind: str, sheet: str, number: int, loc: list[str | int], msg: str
        ) -> None:
            # A group sheet's row yields one raw row per leaf, one after the other.
            if last_row.get(kind) != (sheet, number):
                last_row[kind] = (sheet, number)
                problems.add(loc, msg)

        def score(cell: Cell) -> Decimal | BadCell | None:
            if cell is None:
                return None
            if type(cell) is not str:
                return parse_score(cell)
            value = parsed.get(cell, _UNPARSED)
            if value is _UNPARSED:
                value = parse_score(cell)
                if len(parsed) < PARSED_CACHE_LIMIT:
                    parsed[cell] = value
            return value

        count = 0
        for sheet, number, unit_code, code, self_cell, final_cell, note, sheet_group in rows:
            count += 1
            # Problems of this row, and those the reader finds on its way to the next, go here.
            problems.position = 2 * count + 1
            entry = units.get(unit_code)
            if entry is None:
                if not unit_code:
                    once_per_row(
                        "empty", sheet, number, [sheet, number, "unit_code"], "unit_code is empty"
                    )
                else:
                    once(
                        ("unit", unit_code),
                        [sheet, number, "unit_code"],
                        f"unknown unit {unit_code!r}",
                    )
                continue
            unit_id, group_id, active, leaves = entry
            wide = sheet_group is not None
            if wide:
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
                    once_per_row(
                        "wrong group",
                        sheet,
                        number,
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
            seen = seen_of.get(unit_id)
            if seen is None:
                seen = seen_of[unit_id] = bytearray(len(leaf_order[group_id]))
                first[unit_id] = (sheet, number, group_id, wide)
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
            criterion_id, maximum, method, position = leaf
            self_score = score(self_cell)
            final = score(final_cell)
            if (
                isinstance(self_score, BadCell)
                or isinstance(final, BadCell)
                or (self_score is not None and self_score > maximum)
                or (final is not None and final > maximum)
                or (note is not None and len(note) > NOTE_MAX_CHARS)
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
                if note is not None and len(note) > NOTE_MAX_CHARS:
                    problems.add(
                        [sheet, number, "note"], f"longer than {NOTE_MAX_CHARS} characters"
                    )
                if seen[position] == UNSEEN:
                    seen[position] = BAD_ROW
                continue
            state = seen[position]
            if state == UNSEEN:
                seen[position] = WIDE_ROW if wide else LONG_ROW
                repeated = False
            elif state == BAD_ROW:
                continue  # its first row was a problem already
            else:
                repeated = True
                self.repeats += 1
            sheet_id = sheet_ids.get(sheet)
            if sheet_id is None:
                sheet_id = sheet_ids[sheet] = len(self.sheets)
                self.sheets.append(sheet)
            chunk.append(
                (
                    unit_id,
                    criterion_id,
                    self_score,
                    final,
                    note,
                    count,
                    sheet_id,
                    number,
                    wide,
                    repeated,
                )
            )
            if len(chunk) >= size:
                yield chunk
                chunk = []
        self.rows_read = count
        problems.position = 2 * count + 2
        for unit_id, (sheet, number, group_id, wide) in first.items():
            seen = seen_of[unit_id]
            if UNSEEN not in seen:
                if LONG_ROW in seen or WIDE_ROW in seen:
                    self.unit_ids.append(unit_id)
                continue
            missing = [
                leaf for leaf, state in zip(leaf_order[group_id], seen, strict=True) if not state
            ]
            if self.missing_leaves == "zero":
                self.unit_ids.append(unit_id)
                for _code, criterion_id in missing:
                    count += 1
                    chunk.append(
                        (unit_id, criterion_id, None, ZERO, None, count, 0, 0, False, False)
                    )
                    if len(chunk) >= size:
                        yield chunk
                        chunk = []
                self.zero_filled += len(missing)
                continue
            if LONG_ROW in seen or WIDE_ROW in seen:
                self.unit_ids.append(unit_id)
            codes = [code for code, _ in missing]
            listed = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
            problems.add(
                [sheet, number, codes[0] if wide else "criterion_code"],
                f"{len(codes)} leaf/leaves of the unit have no score: {listed} "
                "(send missing_leaves=zero to score them 0)",
            )
        if chunk:
            yield chunk

    def conflict_problem(
        self, conflict: Conflict, *, unit_codes: dict[int, str], criterion_codes: dict[int, str]
    ) -> tuple[list[str | int], str]:
        """A repeat that is a problem: the same kind of sheet twice, or sheets that disagree."""
        sheet, earlier_sheet = self.sheets[conflict.sheet], self.sheets[conflict.first_sheet]
        unit_code = unit_codes[conflict.unit_id]
        code = criterion_codes[conflict.criterion_id]
        wide = conflict.wide
        where = f"row {conflict.first_row_number}"
        if earlier_sheet != sheet:
            where = f"sheet {earlier_sheet!r} {where}"
        if conflict.first_wide != wide:
            return (
                [sheet, conflict.row_number, code if wide else "final_score"],
                f"final score {change_text(conflict.final_score)} of {unit_code!r} on {code!r} "
                f"differs from {change_text(conflict.first_final_score)} on {where}",
            )
        return (
            [sheet, conflict.row_number, code if wide else "criterion_code"],
            f"unit {unit_code!r} scores criterion {code!r} twice; first on {where}",
        )


def next_chunk(chunks: Iterator[list[StagedScore]]) -> list[StagedScore]:
    """Read and check the file's next chunk of rows (in a worker thread); [] at the end."""
    return next(chunks, [])


# --- The use case ------------------------------------------------------------------------------


class ScoreImport:
    """One scores file: checked while it streams into the staging table, diffed against the
    stored scores and applied there, inside the import's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.imports = ImportRepository(session)
        self.staging = ScoreStagingRepository(session)

    async def lookups(self, year: int) -> ScoreLookups:
        return ScoreLookups.build(
            year=year,
            units=await self.imports.list_units(),
            groups=await self.imports.list_groups(),
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
    ) -> ScoreChecker:
        """Check every row, staging the good ones a chunk at a time; `problems` gets them all.

        The worker thread reads and checks one chunk while the event loop waits; the loop then
        writes it to the staging table, so one chunk is in memory at a time.
        """
        checker = ScoreChecker(lookups, missing_leaves=missing_leaves, problems=problems)
        rows = read_scores(source_file, file_format, problems=problems, progress=progress)
        chunks = checker.chunks(rows, size=chunk_rows or STAGE_ROWS)
        await self.staging.create()
        while chunk := await asyncio.to_thread(next_chunk, chunks):
            await self.staging.add(chunk)
        if checker.repeats:
            total = await self.staging.count_conflicts()
            if total:
                unit_codes, criterion_codes = lookups.unit_codes(), lookups.criterion_codes()
                found = await self.staging.conflicts(limit=problems.limit)
                for conflict in found:
                    loc, msg = checker.conflict_problem(
                        conflict, unit_codes=unit_codes, criterion_codes=criterion_codes
                    )
                    problems.add_at(2 * conflict.seq + 1, loc, msg)
                problems.count_more(total - len(found))
        return checker

    async def diff(self, checker: ScoreChecker) -> tuple[Diff, list[int]]:
        """Per (unit, leaf), the staged rows against the stored scores of the file's units, and
        the units whose scores change (only those are rewritten).

        The first CHANGE_LIMIT changed fields are listed: the file's rows in file order, then
        stored scores the file leaves out, by unit and criterion id.
        """
        lookups = checker.lookups
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
            stored_rows, stored_fields = stored.get(totals.unit_id, (0, 0))
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
                    row[5:8],
                    row[2:5],
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
