"""Builders for GroupYear outcomes used by pure-rule tests."""

from decimal import Decimal

from app.services.results.group_year import UnitOutcome, UnitSnapshot

# Unit ids by code, numbered in the order codes first appear: the same in every run, unlike
# hash(), which changes with PYTHONHASHSEED.
_UNIT_IDS: dict[str, int] = {}


def unit_id_of(code: str) -> int:
    return _UNIT_IDS.setdefault(code, len(_UNIT_IDS) + 1)


def outcome(code: str, index: str, *, unit_id: int | None = None) -> UnitOutcome:
    return UnitOutcome(
        unit=UnitSnapshot(
            id=unit_id if unit_id is not None else unit_id_of(code),
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
