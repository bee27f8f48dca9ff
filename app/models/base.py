"""Declarative base: constraint naming convention and the Python → SQL type map."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Date, DateTime, Dialect, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Leaf scores may carry more decimals than the published two; four is what score sheets use.
SCORE_PRECISION = 10
SCORE_SCALE = 4
# A published index is a percentage with two decimals.
INDEX_PRECISION = 6
INDEX_SCALE = 2

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(column_0_N_label)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, written and read back as UTC with its offset on every database.

    PostgreSQL's timestamptz returns aware values, but SQLite keeps no offset and returns naive
    ones, which the API would then send without the offset RFC 3339 (OpenAPI `date-time`)
    requires. Naive values are taken to be UTC, as everything here writes `datetime.now(UTC)`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        date: Date(),
        Decimal: Numeric(SCORE_PRECISION, SCORE_SCALE),
    }
