"""An assessment year: the unit of publication."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.enums import YearStatus, sql_in
from app.models.source import Source


class AssessmentYear(Base):
    __tablename__ = "assessment_year"
    __table_args__ = (
        CheckConstraint(sql_in(YearStatus, "status"), name="status_known"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), default=YearStatus.DRAFT.value)
    published_at: Mapped[datetime | None]
    # The year's results describe the units as they stood on this date: lineage events after
    # the previous year's date and by this one change this year's comparison (default 31 Dec).
    units_as_of_date: Mapped[date]
    # The latest published revision (1 = as published, +1 per correction); 0 while a draft.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    legal_basis: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"))

    source: Mapped[Source | None] = relationship(lazy="raise")
