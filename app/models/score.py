"""Scores: per-leaf assessment scores, and results as a source published them."""

from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import INDEX_PRECISION, INDEX_SCALE, Base
from app.models.criteria import Criterion
from app.models.source import Source
from app.models.unit import OrgUnit, UnitGroup


class LeafScore(Base):
    """A unit's self-assessed and final (appraised) score on one leaf criterion of a year."""

    __tablename__ = "leaf_score"
    __table_args__ = (
        # final_score rides in the index so reading a criteria set's scores is index-only.
        UniqueConstraint("criterion_id", "unit_id", postgresql_include=["final_score"]),
        CheckConstraint("self_score IS NULL OR self_score >= 0", name="self_not_negative"),
        CheckConstraint("final_score IS NULL OR final_score >= 0", name="final_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    self_score: Mapped[Decimal | None]
    final_score: Mapped[Decimal | None]
    note: Mapped[str | None] = mapped_column(Text)

    criterion: Mapped[Criterion] = relationship(lazy="raise")


class PublishedResult(Base):
    """A unit's result exactly as a source published it; missing figures stay NULL."""

    __tablename__ = "published_result"
    __table_args__ = (
        UniqueConstraint("unit_id", "year"),
        CheckConstraint(
            "index_value IS NOT NULL OR published_rank IS NOT NULL "
            "OR published_position IS NOT NULL OR band_vi IS NOT NULL",
            name="publishes_something",
        ),
        CheckConstraint("published_rank IS NULL OR published_rank >= 1", name="rank_positive"),
        CheckConstraint("index_value IS NULL OR index_value >= 0", name="index_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(
        ForeignKey("assessment_year.year", ondelete="RESTRICT"), index=True
    )
    index_value: Mapped[Decimal | None] = mapped_column(Numeric(INDEX_PRECISION, INDEX_SCALE))
    published_rank: Mapped[int | None]
    published_position: Mapped[str | None] = mapped_column(Text)
    band_vi: Mapped[str | None] = mapped_column(String(100))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"))
    note: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[OrgUnit] = relationship(lazy="raise")
    source: Mapped[Source] = relationship(lazy="raise")


class PublishedGroupSummary(Base):
    """What a source said of a whole group in a year (size, band counts), as published."""

    __tablename__ = "published_group_summary"
    __table_args__ = (
        UniqueConstraint("year", "group_id"),
        CheckConstraint("unit_count IS NULL OR unit_count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("assessment_year.year", ondelete="RESTRICT"))
    group_id: Mapped[int] = mapped_column(ForeignKey("unit_group.id", ondelete="RESTRICT"))
    unit_count: Mapped[int | None]
    # Band label (Vietnamese, as published) → number of units.
    band_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"))

    group: Mapped[UnitGroup] = relationship(lazy="raise")
    source: Mapped[Source] = relationship(lazy="raise")


class LeafScoreTotal(Base):
    """Per unit and criteria set: its leaf scores added up, kept by the database itself.

    Triggers on `leaf_score` (and on `criterion`, whose method gives a leaf its sign) update
    this row in the statement that writes the scores, so it never disagrees with them inside
    any transaction, whichever path wrote them (migration 2026-12-05_0810). A ranking reads one
    row per unit instead of adding up 100 leaves per unit. Integers of ten-thousandths (the
    scores' stored scale): exact on both databases, SQLite included, which keeps NUMERIC as REAL.
    """

    __tablename__ = "leaf_score_total"

    criteria_set_id: Mapped[int] = mapped_column(
        ForeignKey("criteria_set.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True
    )
    # How many leaf_score rows the unit has in the set (the row is deleted when none is left).
    score_rows: Mapped[int]
    # How many of them have a final score.
    final_count: Mapped[int]
    # Σ final scores × 10⁴, penalty leaves subtracted; 0 when final_count is 0.
    final_units: Mapped[int] = mapped_column(BigInteger)
