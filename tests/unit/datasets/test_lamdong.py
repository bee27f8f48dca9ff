"""The bundled "Lam Dong as published" data set: figures intact, registry consistent."""

import hashlib
from decimal import Decimal
from importlib import resources

import pytest

from app.datasets.lamdong import _match_unit, build_lamdong_bundle
from app.schemas.datasets import DatasetBundle, PublishedResultSpec
from app.schemas.units import UnitCreate

DEPARTMENTS_2024 = [
    ("Department of Home Affairs", Decimal("92.96"), 1),
    ("Department of Information and Communications", Decimal("92.46"), 2),
    ("Department of Finance", Decimal("91.34"), 3),
    ("Department of Natural Resources and Environment", Decimal("87.21"), None),
    ("Department of Health", Decimal("87.21"), None),
    ("Industrial Park Management Board", Decimal("86.29"), None),
]
DISTRICTS_2024 = [
    "Bao Lam District",
    "Lac Duong District",
    "Don Duong District",
    "Lam Ha District",
    "Bao Loc City",
    "Da Huoai District",
    "Duc Trong District",
    "Da Lat City",
    "Dam Rong District",
    "Di Linh District",
]


@pytest.fixture(scope="module")
def bundle() -> DatasetBundle:
    return build_lamdong_bundle()


def _units(bundle: DatasetBundle) -> dict[str, UnitCreate]:
    return {unit.code: unit for unit in bundle.units}


def _results(bundle: DatasetBundle, year: int, group: str) -> list[PublishedResultSpec]:
    units = _units(bundle)
    return [r for r in bundle.published_results if r.year == year and units[r.unit].group == group]


def test_bundled_copy_has_the_recorded_digest_of_the_shared_source() -> None:
    # The digest was taken from the shared source (data/lamdong-published.json) when the copy
    # was made; checking against it needs nothing outside the repository.
    datasets = resources.files("app.datasets")
    recorded = datasets.joinpath("lamdong-published.json.sha256").read_text(encoding="ascii")
    digest, name = recorded.split()
    assert name == "lamdong-published.json"
    bundled = datasets.joinpath("lamdong-published.json").read_bytes()
    assert hashlib.sha256(bundled).hexdigest() == digest


def test_bundle_shape(bundle: DatasetBundle) -> None:
    assert bundle.name == "lamdong"
    assert [g.code for g in bundle.groups] == [
        "department",
        "district",
        "commune",
        "public_service_unit",
    ]
    assert [y.year for y in bundle.years] == [2024, 2025]
    assert {s.code for s in bundle.sources} == {"lamdong-2024", "lamdong-2025"}
    assert all(s.url and s.url.startswith("https://") for s in bundle.sources)
    assert bundle.criteria_sets == []
    assert bundle.scores == []


def test_2024_departments_exact_decimals_and_ranks(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    got = [
        (units[r.unit].name_en, r.index_value, r.published_rank)
        for r in _results(bundle, 2024, "department")
    ]
    assert got == DEPARTMENTS_2024
    for result in _results(bundle, 2024, "department"):
        assert isinstance(result.index_value, Decimal)
        assert result.source == "lamdong-2024"


def test_tied_departments_share_score_and_keep_positions(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    by_name = {units[r.unit].name_en: r for r in _results(bundle, 2024, "department")}
    nre = by_name["Department of Natural Resources and Environment"]
    health = by_name["Department of Health"]
    assert nre.index_value == health.index_value == Decimal("87.21")
    assert nre.published_position == "among the three lowest; tied with Health"
    assert by_name["Industrial Park Management Board"].published_position == "lowest"


def test_2024_districts_order_without_scores(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    districts = _results(bundle, 2024, "district")
    assert [units[r.unit].name_en for r in districts] == DISTRICTS_2024
    assert [r.published_rank for r in districts] == list(range(1, 11))
    assert all(r.index_value is None for r in districts)


def test_2024_da_huoai_is_the_merged_district(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    da_huoai = next(r for r in _results(bundle, 2024, "district") if r.published_rank == 6)
    assert da_huoai.unit == "LD-DIS-DA-HUOAI"
    assert units["LD-DIS-DA-HUOAI"].valid_from is not None
    assert units["LD-DIS-DA-HUOAI"].valid_from.isoformat() == "2024-12-01"


def test_2024_public_service_unit(bundle: DatasetBundle) -> None:
    [result] = _results(bundle, 2024, "public_service_unit")
    assert result.unit == "LD-PSU-TRAFFIC-PMB"
    assert result.index_value is None
    assert result.published_rank == 1


def test_2025_results(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    got = {
        units[r.unit].name_en: (r.index_value, r.published_rank, r.band_vi)
        for r in bundle.published_results
        if r.year == 2025
    }
    assert got == {
        "Department of Justice": (Decimal("93.01"), 1, "Tốt"),
        "Department of Foreign Affairs": (Decimal("60.43"), None, None),
        "Phu Thuy Ward": (None, 3, None),
    }
    assert all(r.source == "lamdong-2025" for r in bundle.published_results if r.year == 2025)


def test_2025_commune_band_counts(bundle: DatasetBundle) -> None:
    [commune] = [g for g in bundle.published_groups if (g.year, g.group) == (2025, "commune")]
    assert commune.band_counts == {"Tốt": 26, "Khá": 80, "Trung bình": 18}
    assert commune.unit_count == 124
    others = [g for g in bundle.published_groups if g is not commune]
    assert all(g.band_counts is None and g.unit_count is None for g in others)


def test_published_groups_cover_the_file(bundle: DatasetBundle) -> None:
    assert [(g.year, g.group) for g in bundle.published_groups] == [
        (2024, "department"),
        (2024, "district"),
        (2024, "public_service_unit"),
        (2025, "department"),
        (2025, "commune"),
    ]


def test_unit_codes_unique_and_well_formed(bundle: DatasetBundle) -> None:
    codes = [unit.code for unit in bundle.units]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("LD-") and len(code) <= 64 for code in codes)
    group_codes = {g.code for g in bundle.groups}
    assert all(unit.group in group_codes for unit in bundle.units)


def test_lineage_references_existing_units_with_consistent_dates(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    assert bundle.lineage
    for event in bundle.lineage:
        predecessor, successor = units[event.predecessor], units[event.successor]
        assert predecessor.code != successor.code
        assert event.legal_basis is None
        if predecessor.valid_to is not None:
            assert predecessor.valid_to < event.effective_date
        if successor.valid_from is not None:
            assert event.effective_date <= successor.valid_from
        if successor.valid_to is not None:
            assert event.effective_date <= successor.valid_to


def test_no_lineage_from_districts_to_communes(bundle: DatasetBundle) -> None:
    units = _units(bundle)
    for event in bundle.lineage:
        assert units[event.successor].group != "commune"


def test_unmatched_published_name_is_an_error(bundle: DatasetBundle) -> None:
    with pytest.raises(ValueError, match="Sở Không Có"):
        _match_unit(bundle.units, 2024, "department", "Sở Không Có")


def test_same_name_resolves_to_unit_valid_at_year_end(bundle: DatasetBundle) -> None:
    assert _match_unit(bundle.units, 2024, "district", "Huyện Đạ Huoai").code == "LD-DIS-DA-HUOAI"
