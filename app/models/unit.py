"""Assessed units, the groups they are ranked in, and how units change over time."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.enums import LineageKind, sql_in


class UnitGroup(Base):
    __tablename__ = "unit_group"
    __table_args__ = (
        CheckConstraint(
            "valid_to_year IS NULL OR valid_from_year IS NULL OR valid_from_year <= valid_to_year",
            name="validity_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(default=0)
    # The first and last assessment years the group is ranked in; null: no limit that way.
    valid_from_year: Mapped[int | None]
    valid_to_year: Mapped[int | None]


class OrgUnit(Base):
    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint(
            "valid_to_date IS NULL OR valid_from_date IS NULL OR valid_from_date <= valid_to_date",
            name="validity_ordered",
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("unit_group.id", ondelete="RESTRICT"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"))
    valid_from_date: Mapped[date | None]
    valid_to_date: Mapped[date | None]
    # Lower-cased, diacritic-free names and code, so search ignores case and Vietnamese marks
    # with a plain LIKE on every database.
    search_text: Mapped[str] = mapped_column(Text)

    group: Mapped[UnitGroup] = relationship(lazy="raise")
    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], lazy="raise")


class UnitLineage(Base):
    """One event of a unit's history: the predecessor's work continues in the successor."""

    __tablename__ = "unit_lineage"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id", "kind", "effective_date"),
        CheckConstraint("predecessor_id <> successor_id", name="distinct_units"),
        CheckConstraint(sql_in(LineageKind, "kind"), name="kind_known"),
        Index(None, "successor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    successor_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date]
    legal_basis: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    predecessor: Mapped[OrgUnit] = relationship(foreign_keys=[predecessor_id], lazy="raise")
    successor: Mapped[OrgUnit] = relationship(foreign_keys=[successor_id], lazy="raise")
