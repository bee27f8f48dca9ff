"""Publication history: each published state of a year is a numbered, reproducible revision."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class YearRevision(Base):
    """Revision 1 is the publication; every correction adds the next number.

    The live tables always hold the latest revision. When a correction supersedes a revision,
    that revision's whole state (criteria, bands, leaf scores, published results) is kept in
    `snapshot`, so an earlier ranking can still be rebuilt exactly.
    """

    __tablename__ = "year_revision"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("kind IN ('publish', 'correction')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("assessment_year.year", ondelete="CASCADE"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditEvent(Base):
    """One write: who, when, what, before → after, and why."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32), index=True)
    entity_key: Mapped[str] = mapped_column(String(255))
    year: Mapped[int | None] = mapped_column(index=True)
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class ImportRecord(Base):
    """Every import attempt, applied or not: the file's identity, the counts and the outcome."""

    __tablename__ = "import_record"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('applied', 'unchanged', 'rejected', 'dry_run')", name="outcome_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(
        ForeignKey("assessment_year.year", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    dry_run: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    problem_count: Mapped[int]
    revision: Mapped[int | None]
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
