"""Builders for GroupYear outcomes used by pure-rule tests."""

from decimal import Decimal

from app.services.results.group_year import UnitOutcome, UnitSnapshot


def outcome(code: str, index: str, *, unit_id: int | None = None) -> UnitOutcome:
    return UnitOutcome(
        unit=UnitSnapshot(
            id=unit_id if unit_id is not None else abs(hash(code)) % 100_000,
            code=code,
            name_vi=code,
            name_en=code,
            group_code="g",
            valid_from=None,
            valid_to=None,
        ),
        finals={},
        missing_leaves=0,
        total=None,
        index=Decimal(index),
        basis="published_index",
        band=None,
        published=None,
        rank=None,
        tie_size=0,
    )
