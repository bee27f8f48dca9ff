"""SQL of a scores import's staging table: the checked rows, their repeats, the diff, the write.

The table is TEMPORARY (one per connection) and lives inside the import's transaction: a
rejection rolls it back with everything else, PostgreSQL drops it at COMMIT, and the import
drops it itself before committing (SQLite has no ON COMMIT DROP, and under a SAVEPOINT the
COMMIT is only a RELEASE).
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.schema import CreateTable

from app.models import Criterion, LeafScore
from app.repositories.imports import ID_CHUNK, chunked
from app.repositories.staging_table import (
    INSERT_SQLITE,
    STAGED_COLUMNS,
    StagedRow,
    import_score,
    staged,
)


class Conflict(NamedTuple):
    """A repeated (unit, leaf) that is a problem, beside the row that gave it first."""

    seq: int
    unit_id: int
    criterion_id: int
    sheet: int
    row_number: int
    wide: bool
    final_score: Decimal | None
    first_sheet: int
    first_row_number: int
    first_wide: bool
    first_final_score: Decimal | None


class UnitTotals(NamedTuple):
    """Per unit of the file: its rows, those already stored, those that differ, and fields."""

    unit_id: int
    rows: int
    matched: int
    changed: int
    changed_fields: int
    matched_stored_fields: int


class StoredTotals(NamedTuple):
    """A unit's stored scores on the import's criteria sets, and their non-empty fields."""

    scores: int
    fields: int


class ScoreChange(NamedTuple):
    """(unit, leaf) with the file's values and the stored ones (None: absent)."""

    unit_id: int
    criterion_id: int
    self_score: Decimal | None
    final_score: Decimal | None
    note: str | None
    stored_self_score: Decimal | None
    stored_final_score: Decimal | None
    stored_note: str | None


def _stored_note() -> ColumnElement[Any]:
    # An empty stored note reads as none, as the API writes it.
    return func.nullif(LeafScore.note, "")


def _differs() -> list[ColumnElement[bool]]:
    return [
        staged.self_score.is_distinct_from(LeafScore.self_score),
        staged.final_score.is_distinct_from(LeafScore.final_score),
        staged.note.is_distinct_from(_stored_note()),
    ]


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _fields(conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[int]:
    total: ColumnElement[int] = case((conditions[0], 1), else_=0)
    for condition in conditions[1:]:
        total = total + case((condition, 1), else_=0)
    return total


def _stored_fields() -> ColumnElement[int]:
    return _fields(
        [
            LeafScore.self_score.is_not(None),
            LeafScore.final_score.is_not(None),
            _stored_note().is_not(None),
        ]
    )


def _same_key() -> ColumnElement[bool]:
    return and_(LeafScore.unit_id == staged.unit_id, LeafScore.criterion_id == staged.criterion_id)


def _stored_value(column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> Any:
    """The stored value of the staged row's (unit, leaf), correlated in an UPDATE; null when
    nothing is stored."""
    return select(column).where(_same_key()).scalar_subquery()


class ScoreStagingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _postgres(self) -> bool:
        return (await self.session.connection()).dialect.name == "postgresql"

    async def create(self) -> None:
        await self.drop()
        await self.session.execute(CreateTable(import_score))

    async def drop(self) -> None:
        schema = "pg_temp" if await self._postgres() else "temp"
        await self.session.execute(text(f"DROP TABLE IF EXISTS {schema}.import_score"))

    async def exists(self) -> bool:
        """Whether this connection has the table (tests check a rejection leaves none)."""
        if await self._postgres():
            found = await self.session.scalar(text("SELECT to_regclass('pg_temp.import_score')"))
        else:
            found = await self.session.scalar(
                text("SELECT name FROM sqlite_temp_master WHERE name = 'import_score'")
            )
        return found is not None

    async def add(self, rows: Sequence[StagedRow]) -> None:
        """Append checked rows: COPY on PostgreSQL, executemany on SQLite (scores as floats,
        as SQLAlchemy binds `Numeric` there, so they compare equal to `leaf_score`'s)."""
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                import_score.name, records=rows, columns=STAGED_COLUMNS
            )
            return
        await connection.exec_driver_sql(
            INSERT_SQLITE,
            [
                (
                    unit_id,
                    criterion_id,
                    None if self_score is None else float(self_score),
                    None if final is None else float(final),
                    *rest,
                )
                for unit_id, criterion_id, self_score, final, *rest in rows
            ],
        )

    def _conflicts(self, self_sheets: Sequence[int]) -> Any:
        first = import_score.alias("earlier")
        return (
            select(
                staged.seq,
                staged.unit_id,
                staged.criterion_id,
                staged.sheet,
                staged.row_number,
                staged.wide,
                staged.final_score,
                first.c.sheet,
                first.c.row_number,
                first.c.wide,
                first.c.final_score,
            )
            .join(
                first,
                and_(
                    first.c.unit_id == staged.unit_id,
                    first.c.criterion_id == staged.criterion_id,
                    first.c.repeated.is_(False),
                ),
            )
            .where(
                staged.repeated.is_(True),
                or_(
                    staged.wide == first.c.wide,
                    staged.final_score.is_distinct_from(first.c.final_score),
                    staged.sheet.in_(self_sheets),
                    first.c.sheet.in_(self_sheets),
                ),
            )
        )

    async def count_conflicts(self, *, self_sheets: Sequence[int]) -> int:
        """Repeats that are problems: the same kind of sheet twice, a group sheet and `long`
        that disagree on the final score, or any repeat of a self-assessment sheet's row
        (`self_sheets`)."""
        count = await self.session.scalar(
            select(func.count()).select_from(self._conflicts(self_sheets).subquery())
        )
        return int(count or 0)

    async def conflicts(self, *, self_sheets: Sequence[int], limit: int) -> Sequence[Conflict]:
        """The first `limit` of them in file order."""
        result = await self.session.execute(
            self._conflicts(self_sheets).order_by(staged.seq).limit(limit)
        )
        return [Conflict(*row) for row in result]

    async def keep_stored_fields(self, *, self_sheets: Sequence[int]) -> None:
        """A group sheet's row gives one score: it keeps the stored other score and note of
        its (unit, leaf), so a sheet of final scores leaves self-assessed ones as they are and
        a self-assessment sheet (`self_sheets`) leaves final ones. Before `merge_repeats`, so
        that a `long` row repeating a group sheet's still gives its self score and note."""
        kept_note = _stored_value(_stored_note())
        sheet_rows = (staged.wide.is_(True), staged.repeated.is_(False))
        await self.session.execute(
            update(import_score)
            .where(*sheet_rows, staged.sheet.not_in(self_sheets))
            .values(self_score=_stored_value(LeafScore.self_score), note=kept_note)
        )
        if self_sheets:
            await self.session.execute(
                update(import_score)
                .where(*sheet_rows, staged.sheet.in_(self_sheets))
                .values(final_score=_stored_value(LeafScore.final_score), note=kept_note)
            )

    async def merge_repeats(self) -> None:
        """A group sheet's row takes self score and note from the `long` row that repeats it
        (the last one, if several do); then the repeats go. Only for a file whose repeats all
        agree (no conflicts)."""
        later = import_score.alias("later")
        last_long = (
            select(func.max(later.c.seq))
            .where(later.c.repeated.is_(True), later.c.wide.is_(False))
            .group_by(later.c.unit_id, later.c.criterion_id)
        )
        repeat = import_score.alias("repeat_row")
        await self.session.execute(
            update(import_score)
            .values(self_score=repeat.c.self_score, note=repeat.c.note)
            .where(
                repeat.c.seq.in_(last_long),
                repeat.c.unit_id == staged.unit_id,
                repeat.c.criterion_id == staged.criterion_id,
                staged.wide.is_(True),
                staged.repeated.is_(False),
            )
        )
        await self.session.execute(delete(import_score).where(staged.repeated.is_(True)))

    async def staged_finals(
        self, *, unit_ids: Sequence[int]
    ) -> Sequence[tuple[int, int, Decimal | None]]:
        """(unit, criterion, final score) of the staged rows of these units, once merged."""
        found: list[tuple[int, int, Decimal | None]] = []
        for ids in chunked(unit_ids, ID_CHUNK):
            result = await self.session.execute(
                select(staged.unit_id, staged.criterion_id, staged.final_score).where(
                    staged.unit_id.in_(ids), staged.repeated.is_(False)
                )
            )
            found.extend((unit_id, criterion_id, final) for unit_id, criterion_id, final in result)
        return found

    async def unit_totals(self) -> Sequence[UnitTotals]:
        """The staged rows against `leaf_score`, per unit (O(units) rows back)."""
        differs = _differs()
        matched = LeafScore.id.is_not(None)
        result = await self.session.execute(
            select(
                staged.unit_id,
                func.count(),
                _count(matched),
                _count(and_(matched, or_(*differs))),
                func.coalesce(func.sum(_fields(differs)), 0),
                func.coalesce(func.sum(case((matched, _stored_fields()), else_=0)), 0),
            )
            .select_from(import_score.outerjoin(LeafScore, _same_key()))
            .group_by(staged.unit_id)
        )
        return [UnitTotals(*(int(value) for value in row)) for row in result]

    async def stored_totals(
        self, *, unit_ids: Sequence[int], criteria_set_ids: Sequence[int]
    ) -> dict[int, StoredTotals]:
        """Per unit: its stored scores on the given criteria sets, and their non-empty fields."""
        criterion_ids = select(Criterion.id).where(Criterion.criteria_set_id.in_(criteria_set_ids))
        totals: dict[int, StoredTotals] = {}
        for chunk in chunked(unit_ids, ID_CHUNK):
            result = await self.session.execute(
                select(LeafScore.unit_id, func.count(), func.sum(_stored_fields()))
                .where(LeafScore.unit_id.in_(chunk), LeafScore.criterion_id.in_(criterion_ids))
                .group_by(LeafScore.unit_id)
            )
            for unit_id, count, fields in result:
                totals[unit_id] = StoredTotals(int(count), int(fields or 0))
        return totals

    async def changes(self, *, limit: int) -> Sequence[ScoreChange]:
        """The first `limit` staged rows that add or change a score, in file order."""
        result = await self.session.execute(
            select(
                staged.unit_id,
                staged.criterion_id,
                staged.self_score,
                staged.final_score,
                staged.note,
                LeafScore.self_score,
                LeafScore.final_score,
                _stored_note(),
            )
            .select_from(import_score.outerjoin(LeafScore, _same_key()))
            .where(or_(*_differs()))
            .order_by(staged.seq)
            .limit(limit)
        )
        return [ScoreChange(*row) for row in result]

    async def removals(
        self, *, unit_ids: Sequence[int], criteria_set_ids: Sequence[int], limit: int
    ) -> Sequence[ScoreChange]:
        """The first `limit` stored scores of these units that the file leaves out, by unit
        and criterion id."""
        criterion_ids = select(Criterion.id).where(Criterion.criteria_set_id.in_(criteria_set_ids))
        found: list[ScoreChange] = []
        for chunk in chunked(sorted(unit_ids), ID_CHUNK):
            result = await self.session.execute(
                select(
                    LeafScore.unit_id,
                    LeafScore.criterion_id,
                    LeafScore.self_score,
                    LeafScore.final_score,
                    _stored_note(),
                )
                .select_from(LeafScore.__table__.outerjoin(import_score, _same_key()))
                .where(
                    staged.unit_id.is_(None),
                    LeafScore.unit_id.in_(chunk),
                    LeafScore.criterion_id.in_(criterion_ids),
                )
                .order_by(LeafScore.unit_id, LeafScore.criterion_id)
                .limit(limit - len(found))
            )
            for unit_id, criterion_id, self_score, final, note in result:
                found.append(
                    ScoreChange(unit_id, criterion_id, None, None, None, self_score, final, note)
                )
            if len(found) >= limit:
                break
        return found

    async def insert_scores(self, *, unit_ids: Sequence[int] | None) -> None:
        """Copy the staged rows of these units (None: of every unit) into `leaf_score`."""
        columns = ("unit_id", "criterion_id", "self_score", "final_score", "note")
        rows = select(*(staged[name] for name in columns))
        target = insert(LeafScore)
        if unit_ids is None:
            await self.session.execute(target.from_select(columns, rows))
            return
        for chunk in chunked(unit_ids, ID_CHUNK):
            await self.session.execute(
                target.from_select(columns, rows.where(staged.unit_id.in_(chunk)))
            )
