"""Declarative base: constraint naming convention and the Python → SQL type map."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import Date, DateTime, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        date: Date(),
        Decimal: Numeric(SCORE_PRECISION, SCORE_SCALE),
    }
