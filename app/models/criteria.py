"""The criteria tree of one (year, group), and its bands."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import INDEX_PRECISION, INDEX_SCALE, Base
from app.models.enums import ScoringMethod, sql_in
from app.models.unit import UnitGroup


class CriteriaSet(Base):
    __tablename__ = "criteria_set"
    __table_args__ = (
        UniqueConstraint("year", "group_id"),
        CheckConstraint("max_score > 0", name="max_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("assessment_year.year", ondelete="RESTRICT"))
    group_id: Mapped[int] = mapped_column(ForeignKey("unit_group.id", ondelete="RESTRICT"))
    # The index denominator: the sum of the maxima of the scored (non bonus/penalty) leaves.
    max_score: Mapped[Decimal]

    group: Mapped[UnitGroup] = relationship(lazy="raise")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="criteria_set",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Criterion.sort_order",
    )
    bands: Mapped[list["Band"]] = relationship(
        back_populates="criteria_set",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Band.min_index.desc()",
    )


class Criterion(Base):
    """A node of the tree: field, criterion or sub-criterion; only leaves carry scores."""

    __tablename__ = "criterion"
    __table_args__ = (
        UniqueConstraint("criteria_set_id", "code"),
        CheckConstraint("max_score >= 0", name="max_not_negative"),
        CheckConstraint(
            f"method IS NULL OR {sql_in(ScoringMethod, 'method')}", name="method_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(
        ForeignKey("criteria_set.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    max_score: Mapped[Decimal]
    # Set on leaves only; an inner node's method follows from its leaves.
    method: Mapped[str | None] = mapped_column(String(16))
    sort_order: Mapped[int]

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="criteria", lazy="raise")


class Band(Base):
    """A classification (xếp loại) reached by every index at or above min_index."""

    __tablename__ = "band"
    __table_args__ = (
        UniqueConstraint("criteria_set_id", "min_index"),
        CheckConstraint("min_index >= 0", name="min_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_set.id", ondelete="CASCADE"))
    label_vi: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    min_index: Mapped[Decimal] = mapped_column(Numeric(INDEX_PRECISION, INDEX_SCALE))

    criteria_set: Mapped[CriteriaSet] = relationship(back_populates="bands", lazy="raise")
