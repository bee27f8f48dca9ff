"""publication revisions, audit events, import records

Revision ID: b6a52517fb8c
Revises: 20bb7b3162ff
Create Date: 2026-11-26 09:31:37.715775
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b6a52517fb8c"
down_revision: str | None = "20bb7b3162ff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_key", sa.String(length=255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_entity"), ["entity"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_unit_code"), ["unit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_year"), ["year"], unique=False)

    op.create_table(
        "import_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_format", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('applied', 'unchanged', 'rejected', 'dry_run')",
            name=op.f("ck_import_record_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["assessment_year.year"],
            name=op.f("fk_import_record_year_assessment_year"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_record")),
    )
    with op.batch_alter_table("import_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_record_year"), ["year"], unique=False)

    op.create_table(
        "year_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('publish', 'correction')", name=op.f("ck_year_revision_kind_known")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_year_revision_number_positive")),
        sa.ForeignKeyConstraint(
            ["year"],
            ["assessment_year.year"],
            name=op.f("fk_year_revision_year_assessment_year"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_revision")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_year_revision_year_number")),
    )
    with op.batch_alter_table("assessment_year", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
    # Years published before revisions existed are at their first revision.
    op.execute("UPDATE assessment_year SET revision = 1 WHERE status = 'published'")
    op.execute(
        "INSERT INTO year_revision (year, number, kind, created_at) "
        "SELECT year, 1, 'publish', COALESCE(published_at, CURRENT_TIMESTAMP) "
        "FROM assessment_year WHERE status = 'published'"
    )


def downgrade() -> None:
    with op.batch_alter_table("assessment_year", schema=None) as batch_op:
        batch_op.drop_column("revision")

    op.drop_table("year_revision")
    with op.batch_alter_table("import_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_record_year"))

    op.drop_table("import_record")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_year"))
        batch_op.drop_index(batch_op.f("ix_audit_event_unit_code"))
        batch_op.drop_index(batch_op.f("ix_audit_event_entity"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
