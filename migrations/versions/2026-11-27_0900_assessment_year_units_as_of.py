"""assessment_year.units_as_of_date: the date a year's results describe the units at

A lineage event changes exactly one year-over-year comparison: the first year whose cut-off
is on or after its effective date. Existing years get the default, 31 December of the year.

Revision ID: 5c1d2e8a9b70
Revises: db4297a6bf1d
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1d2e8a9b70"
down_revision: str | None = "db4297a6bf1d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 31 December of the row's year, in each database's date type (SQLite keeps ISO text).
YEAR_END = {
    "postgresql": "make_date(year, 12, 31)",
    "sqlite": "printf('%04d-12-31', year)",
}


def upgrade() -> None:
    op.add_column("assessment_year", sa.Column("units_as_of_date", sa.Date(), nullable=True))
    year_end = YEAR_END[op.get_bind().dialect.name]
    op.execute(f"UPDATE assessment_year SET units_as_of_date = {year_end}")  # noqa: S608
    with op.batch_alter_table("assessment_year") as batch:
        batch.alter_column("units_as_of_date", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("assessment_year") as batch:
        batch.drop_column("units_as_of_date")
