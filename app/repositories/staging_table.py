"""The staging table of a scores import: one checked row of the file per line.

Not on Base.metadata: no migration creates it, each import does (`ScoreStagingRepository`).
"""

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Boolean, Column, Integer, MetaData, Numeric, SmallInteger, Table, Text

from app.models.base import SCORE_PRECISION, SCORE_SCALE


class StagedScore(NamedTuple):
    """A checked row on its way into the staging table, one field per column."""

    unit_id: int
    criterion_id: int
    self_score: Decimal | None
    final_score: Decimal | None
    note: str | None
    seq: int  # the row's place in the file
    sheet: int  # an index into the checker's sheet names
    row_number: int
    wide: bool  # a group sheet's row
    repeated: bool  # a (unit, leaf) given before


# A StagedScore as the staging writes take it: a plain tuple, which the garbage collector stops
# tracking (it tracks a NamedTuple for good, and chunks of them set off full collections).
StagedRow = tuple[int, int, Decimal | None, Decimal | None, str | None, int, int, int, bool, bool]
STAGED_COLUMNS = StagedScore._fields
import_score = Table(
    "import_score",
    MetaData(),
    Column("unit_id", Integer, nullable=False),
    Column("criterion_id", Integer, nullable=False),
    Column("self_score", Numeric(SCORE_PRECISION, SCORE_SCALE)),
    Column("final_score", Numeric(SCORE_PRECISION, SCORE_SCALE)),
    Column("note", Text),
    Column("seq", Integer, nullable=False),
    Column("sheet", SmallInteger, nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("wide", Boolean, nullable=False),
    Column("repeated", Boolean, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
staged = import_score.c
INSERT_SQLITE = (
    "INSERT INTO temp.import_score (unit_id, criterion_id, self_score, final_score, note, seq,"
    " sheet, row_number, wide, repeated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
