"""A (year, group) snapshot's data: every unit's outcome (scores, total, index, band, rank)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal

from app.models import OrgUnit
from app.services.results.scoring import BandRule, Tree

IndexBasis = Literal["leaf_scores", "published_index", "published_rank", "none"]


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    id: int
    code: str
    name_vi: str
    name_en: str
    group_code: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class PublishedSnapshot:
    index: Decimal | None
    rank: int | None
    position: str | None
    band_vi: str | None
    source: str
    note: str | None


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    unit: UnitSnapshot
    finals: Mapping[str, Decimal]  # with detail only; self scores: GroupResultService.self_scores
    missing_leaves: int
    total: Decimal | None
    index: Decimal | None
    basis: IndexBasis
    band: BandRule | None
    published: PublishedSnapshot | None
    rank: int | None = None
    tie_size: int = 0

    @property
    def has_scores(self) -> bool:
        return self.basis == "leaf_scores"

    def ranked(self, rank: int | None, tie_size: int) -> "UnitOutcome":
        """This outcome with its rank (dataclasses.replace, without its per-call field scan)."""
        return UnitOutcome(
            self.unit,
            self.finals,
            self.missing_leaves,
            self.total,
            self.index,
            self.basis,
            self.band,
            self.published,
            rank,
            tie_size,
        )


@dataclass(frozen=True)
class GroupSummarySnapshot:
    unit_count: int | None
    band_counts: Mapping[str, int] | None
    note: str | None
    source: str


@dataclass(frozen=True)
class GroupYear:
    year: int
    status: str
    revision: int
    group_code: str
    group_name_vi: str
    group_name_en: str
    tree: Tree | None
    bands: tuple[BandRule, ...]
    outcomes: tuple[UnitOutcome, ...]
    summary: GroupSummarySnapshot | None
    # Whether outcomes carry every leaf's final score, not only totals.
    detail: bool = True
    # Built from the snapshot kept for a superseded revision rather than the live tables.
    from_snapshot: bool = False

    @cached_property
    def _by_unit(self) -> dict[int, UnitOutcome]:
        return {outcome.unit.id: outcome for outcome in self.outcomes}

    def outcome_of(self, unit_id: int) -> UnitOutcome | None:
        return self._by_unit.get(unit_id)


def snapshot_unit(unit: OrgUnit) -> UnitSnapshot:
    return UnitSnapshot(
        id=unit.id,
        code=unit.code,
        name_vi=unit.name_vi,
        name_en=unit.name_en,
        group_code=unit.group.code,
        valid_from=unit.valid_from_date,
        valid_to=unit.valid_to_date,
    )
