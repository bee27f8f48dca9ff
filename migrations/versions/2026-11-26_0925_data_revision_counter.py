"""data revision counter

Revision ID: 20bb7b3162ff
Revises: 4e79086acabe
Create Date: 2026-11-26 09:18:01.054755
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20bb7b3162ff"
down_revision: str | None = "4e79086acabe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_revision_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
    op.execute("INSERT INTO data_revision (id, revision) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("data_revision")
