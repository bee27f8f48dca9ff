"""The synthetic demo data set: deterministic, labelled as demo, valid, shaped to show features."""

import re
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.datasets.demo import build_demo_bundle
from app.models.enums import LineageKind, ScoringMethod
from app.schemas.criteria import CriterionIn
from app.schemas.datasets import CriteriaSetSpec, DatasetBundle, UnitScoresSpec
from app.schemas.units import UnitCreate
from app.services.registry.criteria_tree import validate_tree

DEMO_GROUPS = {"demo-department", "demo-district"}
YEARS = (2021, 2022, 2023)
SCORED = {ScoringMethod.APPRAISAL, ScoringMethod.SURVEY, ScoringMethod.INDICATOR}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@pytest.fixture(scope="module")
def bundle() -> DatasetBundle:
    return build_demo_bundle()


def leaves(criteria_set: CriteriaSetSpec) -> list[CriterionIn]:
    codes = {node.code for node in criteria_set.criteria}
    return [
        node
        for node in criteria_set.criteria
        if not any(other.startswith(f"{node.code}.") for other in codes)
    ]


def criteria_set_for(bundle: DatasetBundle, year: int, group: str) -> CriteriaSetSpec:
    (found,) = [s for s in bundle.criteria_sets if (s.year, s.group) == (year, group)]
    return found


def units_by_code(bundle: DatasetBundle) -> dict[str, UnitCreate]:
    return {unit.code: unit for unit in bundle.units}


def index_of(scores: UnitScoresSpec, criteria_set: CriteriaSetSpec) -> Decimal:
    """Σ scored finals + bonus − penalty, over the set max, × 100, rounded half-up to 2 places."""
    methods = {node.code: node.method for node in criteria_set.criteria}
    total = Decimal(0)
    for score in scores.scores:
        final = score.final_score or Decimal(0)
        total += -final if methods[score.criterion] == ScoringMethod.PENALTY else final
    assert criteria_set.max_score is not None
    raw = total / criteria_set.max_score * 100
    return raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def valid_at_year_end(unit: UnitCreate, year: int) -> bool:
    year_end = date(year, 12, 31)
    return (unit.valid_from is None or unit.valid_from <= year_end) and (
        unit.valid_to is None or unit.valid_to >= year_end
    )


def scored_units(bundle: DatasetBundle, year: int, group: str) -> list[str]:
    units = units_by_code(bundle)
    return [s.unit for s in bundle.scores if s.year == year and units[s.unit].group == group]


def years_scored(bundle: DatasetBundle, unit: str) -> list[int]:
    return sorted(scores.year for scores in bundle.scores if scores.unit == unit)


def test_two_builds_are_equal() -> None:
    assert build_demo_bundle() == build_demo_bundle()


def test_bundle_uses_only_its_own_demo_groups_and_source(bundle: DatasetBundle) -> None:
    assert bundle.name == "demo"
    assert {group.code for group in bundle.groups} == DEMO_GROUPS
    assert {unit.group for unit in bundle.units} <= DEMO_GROUPS
    assert {s.group for s in bundle.criteria_sets} <= DEMO_GROUPS
    assert [source.code for source in bundle.sources] == ["demo"]
    assert "synthetic" in bundle.sources[0].title.lower()
    assert all(year.source and year.source.code == "demo" for year in bundle.years)


def test_every_unit_is_labelled_demo(bundle: DatasetBundle) -> None:
    for unit in bundle.units:
        assert unit.code.startswith("DEMO-")
        assert CODE_PATTERN.match(unit.code)
        assert len(unit.code) <= 64
        assert unit.name_vi.startswith("Demo")
        assert unit.name_en.startswith("Demo")


def test_unit_names_carry_vietnamese_diacritics(bundle: DatasetBundle) -> None:
    assert any(not unit.name_vi.isascii() for unit in bundle.units if unit.group == "demo-district")


def test_there_is_a_criteria_set_per_year_and_group(bundle: DatasetBundle) -> None:
    pairs = [(s.year, s.group) for s in bundle.criteria_sets]
    assert sorted(pairs) == sorted((year, group) for year in YEARS for group in DEMO_GROUPS)
    assert [year.year for year in bundle.years] == list(YEARS)


def test_criteria_sets_pass_the_service_tree_rules(bundle: DatasetBundle) -> None:
    for criteria_set in bundle.criteria_sets:
        check = validate_tree(criteria_set.criteria, declared_max=criteria_set.max_score)
        assert check.problems == []
        assert check.scored_max == Decimal(100)


def test_tree_has_enough_leaves_including_survey_bonus_and_penalty(bundle: DatasetBundle) -> None:
    tree = leaves(bundle.criteria_sets[0])
    methods = [leaf.method for leaf in tree]
    assert len(tree) >= 30
    assert ScoringMethod.SURVEY in methods
    assert methods.count(ScoringMethod.BONUS) == 1
    assert methods.count(ScoringMethod.PENALTY) == 1
    assert any("online" in leaf.name_en.lower() and leaf.code.startswith("3.") for leaf in tree)


def test_the_eight_fields_add_up_to_100(bundle: DatasetBundle) -> None:
    for criteria_set in bundle.criteria_sets:
        roots = {
            node.code: node.max_score for node in criteria_set.criteria if "." not in node.code
        }
        assert sorted(roots) == [str(n) for n in range(1, 10)]
        assert sum(roots[str(n)] for n in range(1, 9)) == Decimal(100)
        assert criteria_set.max_score == Decimal(100)


def test_every_unit_year_has_a_score_for_every_leaf(bundle: DatasetBundle) -> None:
    units = units_by_code(bundle)
    for scores in bundle.scores:
        criteria_set = criteria_set_for(bundle, scores.year, units[scores.unit].group)
        expected = sorted(leaf.code for leaf in leaves(criteria_set))
        assert sorted(score.criterion for score in scores.scores) == expected
        assert all(score.final_score is not None for score in scores.scores)


def test_scores_stay_within_zero_and_the_leaf_max(bundle: DatasetBundle) -> None:
    maxima = {node.code: node.max_score for node in bundle.criteria_sets[0].criteria}
    for scores in bundle.scores:
        for score in scores.scores:
            for value in (score.final_score, score.self_score):
                assert value is not None
                assert Decimal(0) <= value <= maxima[score.criterion]
                assert value == value.quantize(Decimal("0.01"))


def test_units_mostly_rate_themselves_at_least_as_high_as_appraisal(bundle: DatasetBundle) -> None:
    pairs = [(s.self_score, s.final_score) for u in bundle.scores for s in u.scores]
    at_least = sum(
        1 for own, final in pairs if own is not None and final is not None and own >= final
    )
    assert at_least / len(pairs) > 0.75


def test_some_units_earn_a_bonus_and_a_couple_get_a_penalty(bundle: DatasetBundle) -> None:
    def awarded(method: ScoringMethod) -> int:
        (code,) = [leaf.code for leaf in leaves(bundle.criteria_sets[0]) if leaf.method == method]
        return sum(
            1 for u in bundle.scores for s in u.scores if s.criterion == code and s.final_score
        )

    assert awarded(ScoringMethod.BONUS) >= 3
    assert 2 <= awarded(ScoringMethod.PENALTY) < len(bundle.scores) / 4


def test_each_year_ranks_enough_departments_and_districts(bundle: DatasetBundle) -> None:
    for year in YEARS:
        assert len(scored_units(bundle, year, "demo-department")) >= 15
        assert len(scored_units(bundle, year, "demo-district")) >= 10


def test_indices_are_spread_across_bands(bundle: DatasetBundle) -> None:
    units = units_by_code(bundle)
    indices = [
        index_of(s, criteria_set_for(bundle, s.year, units[s.unit].group)) for s in bundle.scores
    ]
    assert min(indices) >= Decimal(65)
    assert max(indices) <= Decimal(100)
    assert min(indices) < Decimal(80) < Decimal(90) <= max(indices)


def test_2023_departments_include_an_exact_tie_between_different_units(
    bundle: DatasetBundle,
) -> None:
    criteria_set = criteria_set_for(bundle, 2023, "demo-department")
    units = units_by_code(bundle)
    by_index: dict[Decimal, list[UnitScoresSpec]] = defaultdict(list)
    for scores in bundle.scores:
        if scores.year == 2023 and units[scores.unit].group == "demo-department":
            by_index[index_of(scores, criteria_set)].append(scores)
    tied = [group for group in by_index.values() if len(group) >= 2]
    assert tied
    first, second = tied[0][:2]
    assert first.unit != second.unit
    assert first.scores != second.scores


def test_two_departments_merge_into_a_new_one_on_1_january_2023(bundle: DatasetBundle) -> None:
    units = units_by_code(bundle)
    merges = [event for event in bundle.lineage if event.kind == LineageKind.MERGE]
    assert len(merges) == 2
    assert len({event.predecessor for event in merges}) == 2
    (successor,) = {event.successor for event in merges}
    for event in merges:
        assert event.effective_date == date(2023, 1, 1)
        assert "DEMO" in (event.legal_basis or "")
        assert units[event.predecessor].valid_to == date(2022, 12, 31)
        assert years_scored(bundle, event.predecessor) == [2021, 2022]
    assert units[successor].valid_from == date(2023, 1, 1)
    assert years_scored(bundle, successor) == [2023]


def test_a_district_is_renamed_on_1_july_2022_and_only_the_new_name_is_scored_that_year(
    bundle: DatasetBundle,
) -> None:
    units = units_by_code(bundle)
    (rename,) = [event for event in bundle.lineage if event.kind == LineageKind.RENAME]
    assert rename.effective_date == date(2022, 7, 1)
    old, new = units[rename.predecessor], units[rename.successor]
    assert old.group == new.group == "demo-district"
    assert old.valid_to == date(2022, 6, 30)
    assert new.valid_from == date(2022, 7, 1)
    assert (old.name_vi, old.name_en) != (new.name_vi, new.name_en)
    assert years_scored(bundle, old.code) == [2021]
    assert years_scored(bundle, new.code) == [2022, 2023]


def test_no_unit_is_scored_in_a_year_it_does_not_exist_at_year_end(bundle: DatasetBundle) -> None:
    units = units_by_code(bundle)
    for scores in bundle.scores:
        assert valid_at_year_end(units[scores.unit], scores.year)
    for unit in bundle.units:
        expected = [year for year in YEARS if valid_at_year_end(unit, year)]
        assert years_scored(bundle, unit.code) == expected
