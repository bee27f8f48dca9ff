"""A sheet's own totals and indices agree with the service's at the published precision."""

from decimal import Decimal

import pytest

from app.services.imports.figures import figure_agrees, unit_totals
from app.services.imports.parsing.sheet_header import Role


@pytest.mark.parametrize(
    ("role", "cell", "exact"),
    [
        (Role.INDEX, 87.20499999999999, Decimal("87.205")),  # float noise at a half
        (Role.INDEX, 87.21, Decimal("87.205")),  # the sheet rounded as published
        (Role.INDEX, "87,21", Decimal("87.2083")),  # a decimal comma, rounded
        (Role.TOTAL, 9.250000000000002, Decimal("9.25")),
        (Role.RANK, 2, Decimal(2)),
    ],
)
def test_figures_that_agree(role: Role, cell: object, exact: Decimal) -> None:
    assert figure_agrees(role, cell, exact)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "cell", "exact"),
    [
        (Role.INDEX, 87.2, Decimal("87.205")),
        (Role.TOTAL, 9.24, Decimal("9.25")),
        (Role.RANK, 3, Decimal(2)),
        (Role.INDEX, "#DIV/0!", Decimal("87.21")),
    ],
)
def test_figures_that_differ(role: Role, cell: object, exact: Decimal) -> None:
    assert not figure_agrees(role, cell, exact)  # type: ignore[arg-type]


def test_a_total_subtracts_penalties_and_counts_a_missing_score_as_zero() -> None:
    finals = [(1, 10, Decimal("1.25")), (1, 11, Decimal("0.5")), (1, 12, None), (2, 10, Decimal(3))]
    assert unit_totals(finals, penalties=frozenset({11})) == {1: Decimal("0.75"), 2: Decimal(3)}
