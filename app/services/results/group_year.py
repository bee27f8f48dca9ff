"""A (year, group) snapshot's data: every unit's outcome (scores, total, index, band, rank)."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Literal

from app.models import OrgUnit
from app.repositories.results import UnitRow
from app.services.results.scoring import BandRule, Tree

IndexBasis = Literal["leaf_scores", "published_index", "published_rank", "none"]
# Where a unit's rank comes from: computed over a complete group, or as its source published it.
RankBasis = Literal["computed", "published"]
# Which of a group's units a source published figures for (coverage.published_extent decides).
PublishedScope = Literal[
    "none", "all_units", "top_and_bottom", "top", "bottom", "band_counts", "selected_units"
]


# A unit as results show it: the row ResultRepository reads, kept as it is (a named tuple,
# not a copy: a cold ranking of a large group reads a thousand units for each of two years).
UnitSnapshot = UnitRow


@dataclass(frozen=True)
class PublishedSnapshot:
    index: Decimal | None
    rank: int | None
    position: str | None
    band_vi: str | None
    source: str
    note: str | None


@dataclass(frozen=True, init=False)
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
    rank_basis: RankBasis | None = None

    def __init__(
        self,
        unit: UnitSnapshot,
        finals: Mapping[str, Decimal],
        missing_leaves: int,
        total: Decimal | None,
        index: Decimal | None,
        basis: IndexBasis,
        band: BandRule | None,
        published: PublishedSnapshot | None,
        rank: int | None = None,
        tie_size: int = 0,
        rank_basis: RankBasis | None = None,
    ) -> None:
        # Frozen all the same (assignment raises), but filled in one step rather than by a
        # frozen dataclass's object.__setattr__ per field: a cold ranking of a thousand units
        # makes four thousand outcomes, and that was a tenth of its time.
        self.__dict__.update(
            unit=unit,
            finals=finals,
            missing_leaves=missing_leaves,
            total=total,
            index=index,
            basis=basis,
            band=band,
            published=published,
            rank=rank,
            tie_size=tie_size,
            rank_basis=rank_basis,
        )

    @property
    def has_scores(self) -> bool:
        return self.basis == "leaf_scores"

    def ranked(
        self, rank: int | None, tie_size: int, rank_basis: RankBasis | None
    ) -> "UnitOutcome":
        """This outcome with its rank (dataclasses.replace, without its per-call field scan)."""
        outcome = object.__new__(UnitOutcome)
        outcome.__dict__.update(
            self.__dict__,
            rank=rank,
            tie_size=tie_size,
            rank_basis=rank_basis if rank is not None else None,
        )
        return outcome


@dataclass(frozen=True)
class GroupSummarySnapshot:
    unit_count: int | None
    band_counts: Mapping[str, int] | None
    note: str | None
    source: str


@dataclass(frozen=True)
class PublishedExtent:
    """What the sources published of a group: which units, and which kinds of figure."""

    scope: PublishedScope
    sources: tuple[str, ...]
    units_with_rank: int
    units_with_index: int
    units_with_position: int
    band_counts: bool
    unit_count: int | None  # the group's size, as a source stated it


@dataclass(frozen=True)
class Coverage:
    """How much of the group has results; what may be computed over it depends on it.

    `ranked`: the group is complete and every unit has an index, so ranks and statistics are
    computed over it. `leaf_scored`: complete and every unit has leaf scores, so per-criterion
    ranks and statistics are too. Otherwise only what a source published is shown.
    """

    units_with_result: int
    units_in_group: int | None
    complete: bool
    ranked: bool
    leaf_scored: bool
    published: PublishedExtent


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
    coverage: Coverage
    # Whether outcomes carry every leaf's final score, not only totals.
    detail: bool = True
    # Built from the snapshot kept for a superseded revision rather than the live tables.
    from_snapshot: bool = False

    @cached_property
    def _by_unit(self) -> dict[int, UnitOutcome]:
        return {outcome.unit.id: outcome for outcome in self.outcomes}

    def outcome_of(self, unit_id: int) -> UnitOutcome | None:
        return self._by_unit.get(unit_id)

    @property
    def has_results(self) -> bool:
        """Whether anything is known of the group that year: a unit's result or a summary."""
        return bool(self.outcomes) or self.summary is not None


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
