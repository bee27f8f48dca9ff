"""leaf_score: the (criterion_id, unit_id) unique index also carries final_score

A group's ranking, breakdown or improvement list reads every final score of its criteria set
by this index; with final_score in the index PostgreSQL answers from the index alone (an
index-only scan) instead of visiting a heap page per score. SQLite has no INCLUDE: nothing
changes there.

Revision ID: db4297a6bf1d
Revises: 64bec53ab724
Create Date: 2026-11-26 12:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "db4297a6bf1d"
down_revision: str | None = "64bec53ab724"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_leaf_score_criterion_id_unit_id"


def _replace(include: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(NAME, "leaf_score", type_="unique")
    # Raw DDL: Alembic's constraint stub has no final_score column to name in INCLUDE.
    op.execute(
        f"ALTER TABLE leaf_score ADD CONSTRAINT {NAME} UNIQUE (criterion_id, unit_id){include}"
    )


def upgrade() -> None:
    _replace(" INCLUDE (final_score)")


def downgrade() -> None:
    _replace("")
