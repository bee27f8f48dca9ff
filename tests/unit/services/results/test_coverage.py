"""Coverage of a (year, group): complete or partial, and no rank that is neither published nor
computed over a complete group, whatever the mix of published and computed results."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.models.enums import ScoringMethod
from app.services.results.coverage import members_on
from app.services.results.group_year import (
    GroupSummarySnapshot,
    GroupYear,
    PublishedSnapshot,
    UnitSnapshot,
)
from app.services.results.group_year_builder import GroupInputs, group_outcomes
from app.services.results.presenting import Labels, group_statistics
from app.services.results.ranking import ranking_entry
from app.services.results.scoring import build_tree

D = Decimal
TREE = build_tree([("1", "Một", "One", D("10"), ScoringMethod.APPRAISAL)], D("10"))
SOURCE = "src"


def unit(uid: int, *, valid_from: date | None = None, valid_to: date | None = None) -> UnitSnapshot:
    return UnitSnapshot(
        uid, f"U{uid:03}", f"Đơn vị {uid}", f"Unit {uid}", "g", valid_from, valid_to
    )


def published(
    index: str | None = None, rank: int | None = None, position: str | None = None
) -> PublishedSnapshot:
    return PublishedSnapshot(
        index=D(index) if index is not None else None,
        rank=rank,
        position=position,
        band_vi=None,
        source=SOURCE,
        note=None,
    )


def summary(
    unit_count: int | None, band_counts: Mapping[str, int] | None = None
) -> GroupSummarySnapshot:
    return GroupSummarySnapshot(unit_count, band_counts, None, SOURCE)


def build(
    units: list[UnitSnapshot],
    *,
    scored: Mapping[int, str] | None = None,
    published_results: Mapping[int, PublishedSnapshot] | None = None,
    group_summary: GroupSummarySnapshot | None = None,
    members: set[int] | None = None,
) -> GroupYear:
    """A group-year through the real builder: `scored` totals (of 10), `published` results."""
    inputs = GroupInputs(tree=TREE, detail=False, summary=group_summary)
    inputs.totals = {uid: (D(total), 1) for uid, total in (scored or {}).items()}
    inputs.published = dict(published_results or {})
    everyone = {u.id: u for u in units}
    group_members = members if members is not None else set(everyone)
    outcomes, coverage = group_outcomes(inputs, everyone, members=group_members)
    return GroupYear(
        year=2041,
        status="published",
        revision=1,
        group_code="g",
        group_name_vi="Nhóm",
        group_name_en="Group",
        tree=TREE,
        bands=(),
        outcomes=outcomes,
        summary=group_summary,
        coverage=coverage,
        detail=False,
    )


def ranks(group_year: GroupYear) -> dict[str, tuple[int | None, str | None]]:
    return {o.unit.code: (o.rank, o.rank_basis) for o in group_year.outcomes}


class TestComplete:
    def test_every_member_scored_is_complete_and_ranked(self) -> None:
        group = build([unit(1), unit(2), unit(3)], scored={1: "9", 2: "8", 3: "8"})
        assert (group.coverage.complete, group.coverage.ranked) == (True, True)
        assert (group.coverage.units_with_result, group.coverage.units_in_group) == (3, 3)
        assert ranks(group) == {
            "U001": (1, "computed"),
            "U002": (2, "computed"),
            "U003": (2, "computed"),
        }
        statistics = group_statistics(group, "en")
        assert (statistics.complete, statistics.mean, statistics.max) == (True, D("83.33"), 90)

    def test_a_member_without_scores_makes_the_group_partial(self) -> None:
        group = build([unit(1), unit(2), unit(3)], scored={1: "9", 2: "8"})
        assert (group.coverage.complete, group.coverage.units_in_group) == (False, 3)
        assert ranks(group) == {"U001": (None, None), "U002": (None, None)}
        statistics = group_statistics(group, "en")
        assert (statistics.complete, statistics.count, statistics.mean) == (False, 2, None)
        assert statistics.band_counts is None

    def test_members_are_the_units_on_the_cut_off_date(self) -> None:
        # A unit merged away on 30 November is not a member on 31 December.
        units = [
            unit(1),
            unit(2, valid_to=date(2041, 11, 30)),
            unit(3, valid_from=date(2042, 1, 1)),
        ]
        assert members_on(units, date(2041, 12, 31)) == {1}
        group = build(units, scored={1: "9"}, members=set(members_on(units, date(2041, 12, 31))))
        assert (group.coverage.complete, ranks(group)) == (True, {"U001": (1, "computed")})

    def test_the_stated_size_with_every_unit_listed_is_complete(self) -> None:
        results = {1: published("92.96"), 2: published("87.21"), 3: published("87.21")}
        group = build(
            [unit(1), unit(2), unit(3)],
            published_results=results,
            group_summary=summary(3),
            members=set(),
        )
        assert (group.coverage.complete, group.coverage.published.scope) == (True, "all_units")
        assert ranks(group)["U003"] == (2, "computed")


class TestPartial:
    def test_top_three_and_bottom_three_of_an_unstated_size(self) -> None:
        results = {
            1: published("92.96", 1),
            2: published("92.46", 2),
            3: published("91.34", 3),
            4: published("87.21", position="among the three lowest; tied with 5"),
            5: published("87.21", position="among the three lowest; tied with 4"),
            6: published("86.29", position="lowest"),
        }
        group = build([unit(uid) for uid in range(1, 7)], published_results=results)
        coverage = group.coverage
        assert (coverage.complete, coverage.units_in_group) == (False, None)
        assert (coverage.published.scope, coverage.published.units_with_rank) == (
            "top_and_bottom",
            3,
        )
        assert [(o.unit.code, o.rank, o.tie_size) for o in group.outcomes] == [
            ("U001", 1, 1),
            ("U002", 2, 1),
            ("U003", 3, 1),
            ("U004", None, 2),
            ("U005", None, 2),
            ("U006", None, 1),
        ]

    def test_band_counts_of_a_large_group_with_one_ranked_unit(self) -> None:
        group = build(
            [unit(1)],
            published_results={1: published(rank=3)},
            group_summary=summary(124, {"Tốt": 26, "Khá": 80, "Trung bình": 18}),
        )
        coverage = group.coverage
        assert (coverage.complete, coverage.units_with_result, coverage.units_in_group) == (
            False,
            1,
            124,
        )
        assert coverage.published.scope == "band_counts"
        assert ranks(group) == {"U001": (3, "published")}


# A unit of a generated group: scored (a total of 10), published (index, rank, place), both or
# neither; and whether the registry lists it as a member that year.
unit_results = st.tuples(
    st.one_of(st.none(), st.integers(0, 100).map(lambda n: D(n) / 10)),
    st.one_of(st.none(), st.integers(0, 10_000).map(lambda n: D(n) / 100)),
    st.one_of(st.none(), st.integers(1, 30)),
    st.sampled_from([None, "lowest", "among the three lowest", "top 5", "somewhere"]),
    st.booleans(),
)


@given(
    st.lists(unit_results, min_size=1, max_size=12),
    st.one_of(st.none(), st.integers(0, 15)),
)
def test_no_rank_is_neither_published_nor_computed_over_a_complete_group(
    generated: list[tuple[Decimal | None, Decimal | None, int | None, str | None, bool]],
    stated_size: int | None,
) -> None:
    units = [unit(uid) for uid in range(len(generated))]
    scored = {uid: str(g[0]) for uid, g in enumerate(generated) if g[0] is not None}
    results = {
        uid: published(str(index) if index is not None else None, rank, position)
        for uid, (_, index, rank, position, _) in enumerate(generated)
        if index is not None or rank is not None or position is not None
    }
    members = {uid for uid, g in enumerate(generated) if g[4]}
    group = build(
        units,
        scored=scored,
        published_results=results,
        group_summary=summary(stated_size) if stated_size is not None else None,
        members=members,
    )
    indexed = [o.index for o in group.outcomes if o.index is not None]
    for outcome in group.outcomes:
        entry = ranking_entry(group, outcome, Labels("en"), previous=None)
        rank = entry["rank"]
        assert (rank, entry["rank_basis"]) == (outcome.rank, outcome.rank_basis)
        if rank is None:
            continue
        if entry["rank_basis"] == "published":
            assert outcome.published is not None
            assert rank == outcome.published.rank
        else:
            assert group.coverage.complete
            assert len(indexed) == len(group.outcomes)
            assert outcome.index is not None
            assert rank == 1 + sum(1 for other in indexed if other > outcome.index)
    statistics = group_statistics(group, "en")
    assert statistics.complete == group.coverage.ranked
    if not statistics.complete:
        assert (statistics.mean, statistics.median, statistics.min, statistics.max) == (
            None,
            None,
            None,
            None,
        )
