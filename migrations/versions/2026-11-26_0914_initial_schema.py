"""initial schema: units, years, criteria, scores, published results

Revision ID: 4e79086acabe
Revises:
Create Date: 2026-11-26 09:14:04.836209
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4e79086acabe"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("code", name=op.f("uq_source_code")),
    )
    op.create_table(
        "unit_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_group")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_group_code")),
    )
    op.create_table(
        "assessment_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_assessment_year_status_known")
        ),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_assessment_year_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_assessment_year_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_assessment_year")),
    )
    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from_date", sa.Date(), nullable=True),
        sa.Column("valid_to_date", sa.Date(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_org_unit_not_own_parent")
        ),
        sa.CheckConstraint(
            "valid_to_date IS NULL OR valid_from_date IS NULL OR valid_from_date <= valid_to_date",
            name=op.f("ck_org_unit_validity_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["unit_group.id"],
            name=op.f("fk_org_unit_group_id_unit_group"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["org_unit.id"],
            name=op.f("fk_org_unit_parent_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_org_unit_code")),
    )
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_unit_group_id"), ["group_id"], unique=False)

    op.create_table(
        "criteria_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.CheckConstraint("max_score > 0", name=op.f("ck_criteria_set_max_positive")),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["unit_group.id"],
            name=op.f("fk_criteria_set_group_id_unit_group"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["assessment_year.year"],
            name=op.f("fk_criteria_set_year_assessment_year"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_set")),
        sa.UniqueConstraint("year", "group_id", name=op.f("uq_criteria_set_year_group_id")),
    )
    op.create_table(
        "published_group_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("unit_count", sa.Integer(), nullable=True),
        sa.Column("band_counts", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "unit_count IS NULL OR unit_count >= 0",
            name=op.f("ck_published_group_summary_count_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["unit_group.id"],
            name=op.f("fk_published_group_summary_group_id_unit_group"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_published_group_summary_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["assessment_year.year"],
            name=op.f("fk_published_group_summary_year_assessment_year"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_group_summary")),
        sa.UniqueConstraint(
            "year", "group_id", name=op.f("uq_published_group_summary_year_group_id")
        ),
    )
    op.create_table(
        "published_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("index_value", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("published_rank", sa.Integer(), nullable=True),
        sa.Column("published_position", sa.Text(), nullable=True),
        sa.Column("band_vi", sa.String(length=100), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "index_value IS NOT NULL OR published_rank IS NOT NULL "
            "OR published_position IS NOT NULL OR band_vi IS NOT NULL",
            name=op.f("ck_published_result_publishes_something"),
        ),
        sa.CheckConstraint(
            "index_value IS NULL OR index_value >= 0",
            name=op.f("ck_published_result_index_not_negative"),
        ),
        sa.CheckConstraint(
            "published_rank IS NULL OR published_rank >= 1",
            name=op.f("ck_published_result_rank_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_published_result_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_unit.id"],
            name=op.f("fk_published_result_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["year"],
            ["assessment_year.year"],
            name=op.f("fk_published_result_year_assessment_year"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_result")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_published_result_unit_id_year")),
    )
    with op.batch_alter_table("published_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_published_result_year"), ["year"], unique=False)

    op.create_table(
        "unit_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('merge', 'split', 'rename', 'transfer')",
            name=op.f("ck_unit_lineage_kind_known"),
        ),
        sa.CheckConstraint(
            "predecessor_id <> successor_id", name=op.f("ck_unit_lineage_distinct_units")
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["org_unit.id"],
            name=op.f("fk_unit_lineage_predecessor_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["org_unit.id"],
            name=op.f("fk_unit_lineage_successor_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_lineage")),
        sa.UniqueConstraint(
            "predecessor_id",
            "successor_id",
            "kind",
            "effective_date",
            name=op.f("uq_unit_lineage_predecessor_id_successor_id_kind_effective_date"),
        ),
    )
    with op.batch_alter_table("unit_lineage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_lineage_successor_id"), ["successor_id"], unique=False
        )

    op.create_table(
        "band",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criteria_set_id", sa.Integer(), nullable=False),
        sa.Column("label_vi", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("min_index", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.CheckConstraint("min_index >= 0", name=op.f("ck_band_min_not_negative")),
        sa.ForeignKeyConstraint(
            ["criteria_set_id"],
            ["criteria_set.id"],
            name=op.f("fk_band_criteria_set_id_criteria_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_band")),
        sa.UniqueConstraint(
            "criteria_set_id", "min_index", name=op.f("uq_band_criteria_set_id_min_index")
        ),
    )
    op.create_table(
        "criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criteria_set_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=500), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=False),
        sa.Column("max_score", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "method IS NULL OR method IN ('appraisal', 'survey', 'indicator', 'bonus', 'penalty')",
            name=op.f("ck_criterion_method_known"),
        ),
        sa.CheckConstraint("max_score >= 0", name=op.f("ck_criterion_max_not_negative")),
        sa.ForeignKeyConstraint(
            ["criteria_set_id"],
            ["criteria_set.id"],
            name=op.f("fk_criterion_criteria_set_id_criteria_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["criterion.id"],
            name=op.f("fk_criterion_parent_id_criterion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion")),
        sa.UniqueConstraint(
            "criteria_set_id", "code", name=op.f("uq_criterion_criteria_set_id_code")
        ),
    )
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criterion_criteria_set_id"), ["criteria_set_id"], unique=False
        )

    op.create_table(
        "leaf_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("self_score", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("final_score", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "final_score IS NULL OR final_score >= 0", name=op.f("ck_leaf_score_final_not_negative")
        ),
        sa.CheckConstraint(
            "self_score IS NULL OR self_score >= 0", name=op.f("ck_leaf_score_self_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criterion.id"],
            name=op.f("fk_leaf_score_criterion_id_criterion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_unit.id"],
            name=op.f("fk_leaf_score_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaf_score")),
        sa.UniqueConstraint(
            "criterion_id", "unit_id", name=op.f("uq_leaf_score_criterion_id_unit_id")
        ),
    )
    with op.batch_alter_table("leaf_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leaf_score_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leaf_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaf_score_unit_id"))

    op.drop_table("leaf_score")
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criterion_criteria_set_id"))

    op.drop_table("criterion")
    op.drop_table("band")
    with op.batch_alter_table("unit_lineage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_lineage_successor_id"))

    op.drop_table("unit_lineage")
    with op.batch_alter_table("published_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_result_year"))

    op.drop_table("published_result")
    op.drop_table("published_group_summary")
    op.drop_table("criteria_set")
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_unit_group_id"))

    op.drop_table("org_unit")
    op.drop_table("assessment_year")
    op.drop_table("unit_group")
    op.drop_table("source")
