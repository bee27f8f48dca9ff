"""Totals, indices and ranks that officials' group sheets compute, compared with the service's
figures for the same scores. They are never stored: a difference is reported, not refused."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from app.models.enums import ScoringMethod
from app.schemas.base import format_index, format_score
from app.schemas.imports import ImportFigureMismatchRead
from app.services.imports.parsing.cells import Cell, cell_text
from app.services.imports.parsing.sheet_header import Role
from app.services.imports.parsing.wide_sheet import SheetFigure
from app.services.imports.score_checks import ScoreChecker
from app.services.imports.unit_names import Unresolved
from app.services.results.ranking_rules import rank_with_ties
from app.services.results.scoring import HUNDRED, round_index

# A spreadsheet computes in binary floating point: 87.205 may come back as 87.20499999999999.
FLOAT_NOISE = Decimal("0.000001")


def unit_totals(
    finals: Iterable[tuple[int, int, Decimal | None]], penalties: frozenset[int]
) -> dict[int, Decimal]:
    """Per unit: Σ final scores, penalties subtracted (missing scores count 0)."""
    totals: dict[int, Decimal] = {}
    for unit_id, criterion_id, final in finals:
        signed = (final or Decimal(0)) * (-1 if criterion_id in penalties else 1)
        totals[unit_id] = totals.get(unit_id, Decimal(0)) + signed
    return totals


def penalty_leaves(checker: ScoreChecker) -> frozenset[int]:
    return frozenset(
        leaf.criterion_id
        for leaves in checker.lookups.group_leaves.values()
        for leaf in leaves.values()
        if leaf.method == ScoringMethod.PENALTY
    )


def figure_units(checker: ScoreChecker, figures: Sequence[SheetFigure]) -> dict[int, int]:
    """Each figure row's unit id (rows whose unit was refused are left out), by position."""
    units: dict[int, int] = {}
    for position, figure in enumerate(figures):
        code: str | Unresolved = figure.unit_code
        if figure.unit_name is not None:
            code = checker.unit_code_of(figure.sheet_group, figure.unit_name)
        unit = checker.lookups.units.get(code) if isinstance(code, str) else None
        if unit is not None:
            units[position] = unit.id
    return units


class FigureCheck:
    """The service's total, exact index and rank of the file's units, and the comparison."""

    def __init__(self, checker: ScoreChecker, totals: Mapping[int, Decimal]) -> None:
        lookups = checker.lookups
        self.totals = totals
        self.indices: dict[int, Decimal] = {}
        group_of = {unit.id: unit.group_id for unit in lookups.units.values()}
        for unit_id, total in totals.items():
            maximum = lookups.scored_maximum(group_of[unit_id])
            if maximum:
                self.indices[unit_id] = total * HUNDRED / maximum
        self.ranks = self._ranks(checker, group_of)

    def _ranks(self, checker: ScoreChecker, group_of: Mapping[int, int]) -> dict[int, int]:
        """Ranks within each group that the file scores whole: every unit active that year
        (otherwise the service ranks units the file does not show)."""
        active: dict[int, set[int]] = {}
        codes: dict[int, str] = {}
        for code, unit in checker.lookups.units.items():
            codes[unit.id] = code
            if unit.active:
                active.setdefault(unit.group_id, set()).add(unit.id)
        ranks: dict[int, int] = {}
        for members in active.values():
            if not members <= self.indices.keys():
                continue
            entries = [(unit_id, round_index(self.indices[unit_id])) for unit_id in members]
            for ranked in rank_with_ties(entries, sort_key=codes):
                ranks[ranked.key] = ranked.rank
        return ranks

    def mismatches(
        self, figures: Sequence[SheetFigure], units: Mapping[int, int], codes: Mapping[int, str]
    ) -> list[ImportFigureMismatchRead]:
        found = []
        for position, figure in enumerate(figures):
            unit_id = units.get(position)
            if unit_id is None or unit_id not in self.totals:
                continue
            for role, cell in figure.cells:
                computed = self._computed(role, unit_id)
                if computed is not None and not figure_agrees(role, cell, computed[0]):
                    found.append(
                        ImportFigureMismatchRead(
                            sheet=figure.sheet,
                            row=figure.row_number,
                            column=role.value,
                            unit_code=codes[unit_id],
                            in_file=cell_text(cell),
                            computed=computed[1],
                        )
                    )
        return found

    def _computed(self, role: Role, unit_id: int) -> tuple[Decimal, str] | None:
        """The service's figure, exact (an index unrounded) and as the API writes it."""
        if role is Role.TOTAL:
            total = self.totals[unit_id]
            return total, format_score(total)
        if role is Role.INDEX and unit_id in self.indices:
            index = self.indices[unit_id]
            return index, format_index(index)
        if role is Role.RANK and unit_id in self.ranks:
            rank = self.ranks[unit_id]
            return Decimal(rank), str(rank)
        return None


def _number(cell: Cell) -> Decimal | None:
    if isinstance(cell, bool) or cell is None:
        return None
    text = repr(cell) if isinstance(cell, float) else cell_text(cell)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def figure_agrees(role: Role, cell: Cell, exact: Decimal) -> bool:
    """Whether a sheet's figure is the service's: a rank exactly; a total or an index to within
    a float's noise, or equal once both are rounded half-up to two decimals as published."""
    value = _number(cell)
    if value is None:
        return False
    if role is Role.RANK:
        return value == exact
    return abs(value - exact) <= FLOAT_NOISE or round_index(value) == round_index(exact)
