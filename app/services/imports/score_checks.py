"""Checking a scores file row by row as it streams past, keeping per unit one byte per leaf."""

import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

from app.core.errors import Problem
from app.core.messages import Message, message
from app.models.enums import ScoringMethod
from app.repositories.score_staging import Conflict
from app.repositories.staging_table import StagedRow, StagedScore
from app.schemas.base import format_decimal
from app.schemas.vocabularies import MissingLeaves
from app.services.imports.diff import change_text
from app.services.imports.parsing.cells import NOTE_MAX_CHARS, Cell, RawScore, parse_score
from app.services.imports.parsing.problems import BadCell, ProblemLog
from app.services.imports.score_lookups import KnownUnit, Leaf, ScoreLookups
from app.services.imports.unit_names import Unresolved

# Distinct score texts remembered while checking; real files repeat a few hundred values.
PARSED_CACHE_LIMIT = 100_000
# Distinct unknown unit codes reported once each; past this many, each row is reported.
REPORTED_LIMIT = 100_000
ZERO = Decimal(0)
# A marker compared by identity: "this text was not parsed yet"; never shown.
_UNPARSED = BadCell(Message("cell.not-a-number"))
# What a file has given so far for one (unit, leaf): one byte per leaf of the unit's group.
UNSEEN, LONG_ROW, WIDE_ROW, BAD_ROW = 0, 1, 2, 3

Score = Decimal | BadCell | None


class FirstRow(NamedTuple):
    """Where a unit first appears in the file: its unit-wide problems are reported there."""

    sheet: str
    row_number: int
    group_id: int
    wide: bool


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
        self.self_sheets: list[int] = []  # sheet ids of self-assessment sheets
        self._units = lookups.units
        self._seen: dict[int, bytearray] = {}
        self._first: dict[int, FirstRow] = {}
        self._sheet_ids: dict[str, int] = {}
        self._reported: set[tuple[str, str]] = set()
        self._last_row: dict[str, tuple[str, int]] = {}  # a problem reported once per sheet row
        self._parsed: dict[str, Score] = {}
        self._named: dict[tuple[str | None, str], str | Unresolved] = {}
        self._sheet_groups: dict[str, int | None] = {}

    def chunks(self, rows: Iterable[RawScore], *, size: int) -> Iterator[list[StagedRow]]:
        """The checked rows in file order, then the zero-filled leaves, `size` at a time."""
        staged = itertools.chain(self._checked(rows), self._missing_leaves())
        # A slice of a NamedTuple is a plain tuple (see StagedRow).
        while chunk := [row[:] for row in itertools.islice(staged, size)]:
            yield chunk

    def _checked(self, rows: Iterable[RawScore]) -> Iterator[StagedScore]:
        problems, check_row = self.problems, self.check_row
        seq = 0
        for seq, row in enumerate(rows, start=1):
            # Problems of this row, and those the reader finds on its way to the next, go here.
            problems.position = 2 * seq + 1
            checked = check_row(row, seq)
            if isinstance(checked, StagedScore):
                yield checked
            else:
                for problem in checked:
                    problems.add(problem.loc, problem.msg)
        self.rows_read = seq
        problems.position = 2 * seq + 2

    def check_row(self, row: RawScore, seq: int) -> StagedScore | list[Problem]:
        """The row as it is staged (`seq`: its place in the file), or its problems; none when
        they were reported once already or its (unit, leaf) was rejected on an earlier row."""
        # Unpacked once: this runs for every row of files of millions.
        sheet, number, unit_code, code, self_cell, final_cell, note, sheet_group, name = row
        if name is not None:
            named = self.unit_code_of(sheet_group, name)
            if isinstance(named, Unresolved):
                loc: list[str | int] = [sheet, number, "unit_name"]
                return self._once_per_row("unit name", row, loc, named.msg)
            unit_code = named
        wide = sheet_group is not None
        unit = self._units.get(unit_code)
        if (
            unit is None
            or not unit.active
            or unit.leaves is None
            or (sheet_group is not None and self._sheet_group_id(sheet_group) != unit.group_id)
        ):
            return self._unit_problems(row, unit, unit_code)
        seen = self._seen.get(unit.id)
        if seen is None:
            seen = self._first_seen(row, unit)
        leaf = unit.leaves.get(code)
        if leaf is None:
            return [self._not_a_leaf(row, unit)]
        self_score, final = self._score(self_cell), self._score(final_cell)
        maximum, position = leaf.maximum, leaf.position
        if (
            isinstance(self_score, BadCell)
            or isinstance(final, BadCell)
            or (self_score is not None and self_score > maximum)
            or (final is not None and final > maximum)
            or (note is not None and len(note) > NOTE_MAX_CHARS)
        ):
            if seen[position] == UNSEEN:
                seen[position] = BAD_ROW
            return self._cell_problems(row, leaf, self_score, final)
        state = seen[position]
        if state == UNSEEN:
            seen[position] = WIDE_ROW if wide else LONG_ROW
        elif state == BAD_ROW:
            return []  # its first row was a problem already
        else:
            self.repeats += 1
        sheet_id = self._sheet_ids.get(sheet)
        if sheet_id is None:
            sheet_id = self._add_sheet(sheet, self_assessed=wide and final_cell is None)
        return StagedScore(
            unit.id,
            leaf.criterion_id,
            self_score,
            final,
            note,
            seq,
            sheet_id,
            number,
            wide,
            state != UNSEEN,
        )

    def unit_code_of(self, sheet_group: str | None, name: str) -> "str | Unresolved":
        """The code of the unit a group sheet names (`UnitNames.resolve`), remembered."""
        key = (sheet_group, name)
        found = self._named.get(key)
        if found is None:
            group_id = self._sheet_group_id(sheet_group) if sheet_group is not None else None
            found = self.lookups.unit_names.resolve(name, group_id=group_id)
            if len(self._named) < REPORTED_LIMIT:
                self._named[key] = found
        return found

    def _sheet_group_id(self, sheet_group: str) -> int | None:
        if sheet_group not in self._sheet_groups:
            self._sheet_groups[sheet_group] = self.lookups.sheet_group_id(sheet_group)
        return self._sheet_groups[sheet_group]

    def _unit_problems(self, row: RawScore, unit: KnownUnit | None, code: str) -> list[Problem]:
        """Why the row's unit cannot be scored on its sheet, reported once per unit or sheet
        (a group sheet's row: once per row)."""
        loc: list[str | int] = [row.sheet, row.row_number, "unit_code"]
        if unit is None:
            if not code:
                return self._once_per_row("empty", row, loc, message("scores.empty-unit"))
            return self._once(("unit", code), loc, message("unit.unknown", code=code))
        if row.sheet_group is not None:
            sheet_group_id = self._sheet_group_id(row.sheet_group)
            if sheet_group_id is None:
                return self._once(
                    ("sheet", row.sheet),
                    [row.sheet, 1],
                    message("xlsx.sheet-name", sheet=row.sheet),
                )
            if sheet_group_id != unit.group_id:
                return self._once_per_row(
                    "wrong group",
                    row,
                    loc,
                    message("scores.wrong-sheet-group", unit=code, group=row.sheet_group),
                )
        if not unit.active:
            return self._once(
                ("inactive", code), loc, message("scores.unit-inactive-row", unit=code)
            )
        return self._once(("no criteria", code), loc, message("scores.unit-no-criteria", unit=code))

    def _first_seen(self, row: RawScore, unit: KnownUnit) -> bytearray:
        """The unit's first row: nothing seen yet of its leaves; unit-wide problems go here."""
        seen = self._seen[unit.id] = bytearray(len(self.lookups.leaf_order[unit.group_id]))
        wide = row.sheet_group is not None
        self._first[unit.id] = FirstRow(row.sheet, row.row_number, unit.group_id, wide)
        return seen

    def _not_a_leaf(self, row: RawScore, unit: KnownUnit) -> Problem:
        code = row.criterion_code
        column = code if row.sheet_group is not None else "criterion_code"
        if not code:
            why = message("scores.empty-criterion")
        elif code in self.lookups.inner.get(unit.group_id, ()):
            why = message("scores.not-leaf", code=code)
        else:
            why = message("scores.criterion-not-in-set", code=code)
        return Problem([row.sheet, row.row_number, column], why)

    def _cell_problems(
        self, row: RawScore, leaf: Leaf, self_score: Score, final: Score
    ) -> list[Problem]:
        """Why the row's scores or note cannot be stored."""
        code = row.criterion_code
        cells = {"self_score": self_score, "final_score": final}
        if row.sheet_group is not None:
            # A group sheet's cell gives one score, under the leaf's code.
            cells = {code: final if row.self_score is None else self_score}
        found = []
        for column, value in cells.items():
            loc: list[str | int] = [row.sheet, row.row_number, column]
            if isinstance(value, BadCell):
                found.append(Problem(loc, value.msg))
            elif value is not None and value > leaf.maximum:
                above = (
                    "scores.above-cap"
                    if leaf.method == ScoringMethod.PENALTY
                    else "scores.above-max"
                )
                found.append(
                    Problem(
                        loc,
                        message(
                            above,
                            value=format_decimal(value),
                            max=format_decimal(leaf.maximum),
                            code=code,
                        ),
                    )
                )
        if row.note is not None and len(row.note) > NOTE_MAX_CHARS:
            found.append(
                Problem(
                    [row.sheet, row.row_number, "note"],
                    message("scores.note-too-long", limit=NOTE_MAX_CHARS),
                )
            )
        return found

    def _once(self, key: tuple[str, str], loc: list[str | int], msg: Message) -> list[Problem]:
        """The problem, unless one was reported under `key` (a unit, a sheet) already."""
        if key in self._reported:
            return []
        if len(self._reported) < REPORTED_LIMIT:
            self._reported.add(key)
        return [Problem(loc, msg)]

    def _once_per_row(
        self, kind: str, row: RawScore, loc: list[str | int], msg: Message
    ) -> list[Problem]:
        """The problem, unless this kind was reported on this sheet row already: a group
        sheet's row yields one raw row per leaf, one after the other."""
        where = (row.sheet, row.row_number)
        if self._last_row.get(kind) == where:
            return []
        self._last_row[kind] = where
        return [Problem(loc, msg)]

    def _score(self, cell: Cell) -> Score:
        """`parse_score`, remembering the texts seen (files repeat a few hundred values)."""
        if cell is None:
            return None
        if type(cell) is not str:
            return parse_score(cell)
        value = self._parsed.get(cell, _UNPARSED)
        if value is _UNPARSED:
            value = parse_score(cell)
            if len(self._parsed) < PARSED_CACHE_LIMIT:
                self._parsed[cell] = value
        return value

    def _add_sheet(self, sheet: str, *, self_assessed: bool) -> int:
        """A sheet's id; a group sheet whose rows give no final score is a self-assessment
        sheet (group sheets yield no row for an empty cell)."""
        sheet_id = self._sheet_ids[sheet] = len(self.sheets)
        self.sheets.append(sheet)
        if self_assessed:
            self.self_sheets.append(sheet_id)
        return sheet_id

    def _missing_leaves(self) -> Iterator[StagedScore]:
        """After the last row, per unit of the file: the leaves it left out, staged as zero
        when missing leaves are scored zero, else reported at the unit's first row. Collects
        the units whose scores are to be stored."""
        seq = self.rows_read
        for unit_id, first in self._first.items():
            seen = self._seen[unit_id]
            scored = LONG_ROW in seen or WIDE_ROW in seen
            if UNSEEN not in seen:
                if scored:
                    self.unit_ids.append(unit_id)
                continue
            order = self.lookups.leaf_order[first.group_id]
            missing = [leaf for leaf, state in zip(order, seen, strict=True) if state == UNSEEN]
            if self.missing_leaves == "zero":
                self.unit_ids.append(unit_id)
                self.zero_filled += len(missing)
                for _code, criterion_id in missing:
                    seq += 1
                    yield self._zero(unit_id, criterion_id, seq, first)
                continue
            if scored:
                self.unit_ids.append(unit_id)
            codes = [code for code, _ in missing]
            listed = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
            self.problems.add(
                [first.sheet, first.row_number, codes[0] if first.wide else "criterion_code"],
                message("scores.missing-leaves", count=len(codes), codes=listed),
            )

    def _zero(self, unit_id: int, criterion_id: int, seq: int, first: FirstRow) -> StagedScore:
        """A left-out leaf scored zero: on the kind of sheet where the unit first appears, so
        that a group sheet's unit keeps its other stored score (`keep_stored_fields`)."""
        sheet_id = self._sheet_ids.get(first.sheet) if first.wide else None
        if sheet_id is None:
            return StagedScore(unit_id, criterion_id, None, ZERO, None, seq, 0, 0, False, False)
        self_score, final = (ZERO, None) if sheet_id in self.self_sheets else (None, ZERO)
        return StagedScore(
            unit_id, criterion_id, self_score, final, None, seq, sheet_id, 0, True, False
        )

    def conflict_problem(
        self, conflict: Conflict, *, unit_codes: dict[int, str], criterion_codes: dict[int, str]
    ) -> Problem:
        """A repeat that is a problem: the same kind of sheet twice, or sheets that disagree."""
        sheet, earlier_sheet = self.sheets[conflict.sheet], self.sheets[conflict.first_sheet]
        unit_code = unit_codes[conflict.unit_id]
        code = criterion_codes[conflict.criterion_id]
        wide = conflict.wide
        where = message("scores.at-row", row=conflict.first_row_number)
        if earlier_sheet != sheet:
            where = message(
                "scores.at-sheet-row", sheet=earlier_sheet, row=conflict.first_row_number
            )
        self_sheet = {conflict.sheet, conflict.first_sheet} & set(self.self_sheets)
        if conflict.first_wide != wide and not self_sheet:
            return Problem(
                [sheet, conflict.row_number, code if wide else "final_score"],
                message(
                    "scores.final-differs",
                    value=change_text(conflict.final_score),
                    unit=unit_code,
                    code=code,
                    first=change_text(conflict.first_final_score),
                    where=where,
                ),
            )
        return Problem(
            [sheet, conflict.row_number, code if wide else "criterion_code"],
            message("scores.criterion-twice", unit=unit_code, code=code, where=where),
        )
