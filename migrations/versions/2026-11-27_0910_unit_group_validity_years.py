"""unit_group.valid_from_year, valid_to_year: the assessment years a group is ranked in

Reforms create groups (the 2025 commune level) and end others (districts, last ranked in the
2024 index). Existing groups get no limit.

Revision ID: 8e3f6a1c2d45
Revises: 5c1d2e8a9b70
Create Date: 2026-11-27 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e3f6a1c2d45"
down_revision: str | None = "5c1d2e8a9b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unit_group") as batch:
        batch.add_column(sa.Column("valid_from_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("valid_to_year", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_unit_group_validity_ordered"),
            "valid_to_year IS NULL OR valid_from_year IS NULL OR valid_from_year <= valid_to_year",
        )


def downgrade() -> None:
    with op.batch_alter_table("unit_group") as batch:
        batch.drop_constraint(op.f("ck_unit_group_validity_ordered"), type_="check")
        batch.drop_column("valid_to_year")
        batch.drop_column("valid_from_year")
