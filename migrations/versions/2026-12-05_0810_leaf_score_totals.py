"""leaf_score_total: each unit's leaf scores per criteria set, added up by database triggers

A ranking needs one total per unit; adding up 100 leaves per unit at read time cost a cold
1,000-unit ranking two sums of 100,000 scores. The table holds, per (criteria set, unit), the
number of leaf_score rows, how many have a final score, and Σ final × 10⁴ with penalty leaves
subtracted: integers, exact on both databases (SQLite keeps NUMERIC as REAL).

Triggers keep it in step in the statement that writes the scores, whichever path writes them
(score PUT, imports, corrections, data set loads, a criteria set replaced, plain SQL):
- leaf_score INSERT / DELETE / UPDATE add or subtract the rows' contributions (PostgreSQL once
  per statement from its transition tables, SQLite per row); a total left without rows goes.
- criterion DELETE, or an UPDATE of its method or set, recomputes the sets concerned from
  leaf_score, since a leaf's method gives its sign.
The upgrade fills the table from the stored scores.

Revision ID: d1831abb6b9f
Revises: 8e3f6a1c2d45
Create Date: 2026-12-05 08:10:00.000000
"""

# The DDL below is composed from this module's constants only, never from input.
# ruff: noqa: S608

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1831abb6b9f"
down_revision: str | None = "8e3f6a1c2d45"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A score in ten-thousandths, negated on a penalty leaf; NULL without a final score. NUMERIC(…, 4)
# × 10⁴ is whole on PostgreSQL; SQLite's REAL is rounded to the nearest ten-thousandth first.
SIGNED = {
    "postgresql": (
        "CASE WHEN c.method = 'penalty' THEN -1 ELSE 1 END * (s.final_score * 10000)::bigint"
    ),
    "sqlite": (
        "CASE WHEN c.method = 'penalty' THEN -1 ELSE 1 END"
        " * CAST(round(s.final_score * 10000) AS INTEGER)"
    ),
}


def _sums(dialect: str, rows: str, where: str = "") -> str:
    """Per (criteria set, unit) of `rows` (leaf_score rows aliased s): the three figures."""
    return (
        "SELECT c.criteria_set_id, s.unit_id, count(*), count(s.final_score), "
        f"coalesce(sum({SIGNED[dialect]}), 0) "
        f"FROM {rows} AS s JOIN criterion AS c ON c.id = s.criterion_id {where} "
        "GROUP BY c.criteria_set_id, s.unit_id"
    )


COLUMNS = "criteria_set_id, unit_id, score_rows, final_count, final_units"
ADD_ON_CONFLICT = (
    "ON CONFLICT (criteria_set_id, unit_id) DO UPDATE SET "
    "score_rows = leaf_score_total.score_rows + excluded.score_rows, "
    "final_count = leaf_score_total.final_count + excluded.final_count, "
    "final_units = leaf_score_total.final_units + excluded.final_units"
)


def _rebuild(dialect: str, set_ids: str) -> list[str]:
    """Statements recomputing the totals of the criteria sets `set_ids` (an SQL list)."""
    return [
        f"DELETE FROM leaf_score_total WHERE criteria_set_id IN ({set_ids})",
        f"INSERT INTO leaf_score_total ({COLUMNS}) "
        + _sums(dialect, "leaf_score", f"WHERE c.criteria_set_id IN ({set_ids})"),
    ]


POSTGRES_SCORE_FUNCTION = f"""
CREATE FUNCTION leaf_score_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE leaf_score_total AS t
        SET score_rows = t.score_rows - d.score_rows,
            final_count = t.final_count - d.final_count,
            final_units = t.final_units - d.final_units
        FROM ({_sums("postgresql", "old_rows")}) AS d (criteria_set_id, unit_id, score_rows,
                                                       final_count, final_units)
        WHERE t.criteria_set_id = d.criteria_set_id AND t.unit_id = d.unit_id;
        DELETE FROM leaf_score_total AS t
        USING old_rows AS s JOIN criterion AS c ON c.id = s.criterion_id
        WHERE t.criteria_set_id = c.criteria_set_id AND t.unit_id = s.unit_id
          AND t.score_rows = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO leaf_score_total ({COLUMNS})
        {_sums("postgresql", "new_rows")}
        {ADD_ON_CONFLICT};
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRES_CRITERION_FUNCTIONS = [
    f"""
CREATE FUNCTION leaf_score_total_rebuild_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {";".join(_rebuild("postgresql", "SELECT criteria_set_id FROM old_rows"))};
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION leaf_score_total_rebuild_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {";".join(_rebuild("postgresql", "OLD.criteria_set_id, NEW.criteria_set_id"))};
    RETURN NULL;
END
$$
""",
]

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER leaf_score_total_insert AFTER INSERT ON leaf_score "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION leaf_score_total_apply()",
    "CREATE TRIGGER leaf_score_total_delete AFTER DELETE ON leaf_score "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION leaf_score_total_apply()",
    "CREATE TRIGGER leaf_score_total_update AFTER UPDATE ON leaf_score "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION leaf_score_total_apply()",
    "CREATE TRIGGER leaf_score_total_criterion_delete AFTER DELETE ON criterion "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION leaf_score_total_rebuild_deleted()",
    # Row level: PostgreSQL allows no transition table on a trigger with a column list.
    "CREATE TRIGGER leaf_score_total_criterion_update "
    "AFTER UPDATE OF method, criteria_set_id ON criterion "
    "FOR EACH ROW EXECUTE FUNCTION leaf_score_total_rebuild_changed()",
]


def _sqlite_add(row: str) -> str:
    """SQLite: add one leaf_score row (NEW or OLD) to its unit's total."""
    return (
        f"INSERT INTO leaf_score_total ({COLUMNS}) "
        + _sums(
            "sqlite",
            f"(SELECT {row}.unit_id AS unit_id, {row}.criterion_id AS criterion_id, "
            f"{row}.final_score AS final_score)",
            # WHERE: SQLite's parser then reads the ON CONFLICT below as the upsert's.
            "WHERE true",
        )
        + f" {ADD_ON_CONFLICT};"
    )


def _sqlite_subtract() -> str:
    """SQLite: take the OLD leaf_score row out of its unit's total; drop a total left empty."""
    key = (
        "unit_id = OLD.unit_id AND criteria_set_id = "
        "(SELECT criteria_set_id FROM criterion WHERE id = OLD.criterion_id)"
    )
    signed = (
        "(SELECT CASE WHEN method = 'penalty' THEN -1 ELSE 1 END FROM criterion "
        "WHERE id = OLD.criterion_id) * CAST(round(OLD.final_score * 10000) AS INTEGER)"
    )
    return (
        "UPDATE leaf_score_total SET score_rows = score_rows - 1, "
        "final_count = final_count - (OLD.final_score IS NOT NULL), "
        f"final_units = final_units - coalesce({signed}, 0) WHERE {key}; "
        f"DELETE FROM leaf_score_total WHERE {key} AND score_rows = 0;"
    )


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER leaf_score_total_insert AFTER INSERT ON leaf_score "
    f"BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER leaf_score_total_delete AFTER DELETE ON leaf_score "
    f"BEGIN {_sqlite_subtract()} END",
    "CREATE TRIGGER leaf_score_total_update "
    "AFTER UPDATE OF unit_id, criterion_id, final_score ON leaf_score "
    f"BEGIN {_sqlite_subtract()} {_sqlite_add('NEW')} END",
    "CREATE TRIGGER leaf_score_total_criterion_delete AFTER DELETE ON criterion BEGIN "
    + "; ".join(_rebuild("sqlite", "OLD.criteria_set_id"))
    + "; END",
    "CREATE TRIGGER leaf_score_total_criterion_update "
    "AFTER UPDATE OF method, criteria_set_id ON criterion BEGIN "
    + "; ".join(_rebuild("sqlite", "OLD.criteria_set_id, NEW.criteria_set_id"))
    + "; END",
]

TRIGGERS = (
    "leaf_score_total_insert",
    "leaf_score_total_delete",
    "leaf_score_total_update",
)
CRITERION_TRIGGERS = ("leaf_score_total_criterion_delete", "leaf_score_total_criterion_update")
POSTGRES_FUNCTIONS = (
    "leaf_score_total_apply",
    "leaf_score_total_rebuild_deleted",
    "leaf_score_total_rebuild_changed",
)


def upgrade() -> None:
    op.create_table(
        "leaf_score_total",
        sa.Column("criteria_set_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("score_rows", sa.Integer(), nullable=False),
        sa.Column("final_count", sa.Integer(), nullable=False),
        sa.Column("final_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criteria_set_id"],
            ["criteria_set.id"],
            name=op.f("fk_leaf_score_total_criteria_set_id_criteria_set"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["org_unit.id"],
            name=op.f("fk_leaf_score_total_unit_id_org_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("criteria_set_id", "unit_id", name=op.f("pk_leaf_score_total")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in [POSTGRES_SCORE_FUNCTION, *POSTGRES_CRITERION_FUNCTIONS]:
            op.execute(statement)
        triggers = POSTGRES_TRIGGERS
    else:
        triggers = SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)
    op.execute(f"INSERT INTO leaf_score_total ({COLUMNS}) " + _sums(dialect, "leaf_score"))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}" + (" ON leaf_score" if postgres else ""))
    for name in CRITERION_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}" + (" ON criterion" if postgres else ""))
    if postgres:
        for name in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("leaf_score_total")
