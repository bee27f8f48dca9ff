"""Loading the bundled data sets: complete, exact, idempotent, and all or nothing."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.datasets.demo import build_demo_bundle
from app.datasets.lamdong import build_lamdong_bundle
from app.models import (
    AssessmentYear,
    Base,
    LeafScore,
    OrgUnit,
    PublishedResult,
    UnitGroup,
    UnitLineage,
)
from app.models.enums import YearStatus
from app.schemas.datasets import DatasetBundle
from app.schemas.units import UnitCreate
from app.services.registry.datasets import DatasetConflict, DatasetLoader, LoadReport

COUNTED = (OrgUnit, UnitLineage, AssessmentYear, LeafScore, PublishedResult)


async def row_counts(session: AsyncSession) -> dict[str, int]:
    counts = {}
    for model in COUNTED:
        counts[model.__tablename__] = await session.scalar(select(func.count()).select_from(model))
    return counts


async def published(session: AsyncSession, year: int, group: str) -> list[PublishedResult]:
    rows = await session.scalars(
        select(PublishedResult)
        .join(OrgUnit, PublishedResult.unit_id == OrgUnit.id)
        .join(UnitGroup, OrgUnit.group_id == UnitGroup.id)
        .where(PublishedResult.year == year, UnitGroup.code == group)
        .order_by(PublishedResult.published_rank, OrgUnit.code)
    )
    return list(rows.all())


async def unit_id(session: AsyncSession, code: str) -> int:
    found = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    assert found is not None, code
    return found


def count_of(bundle: DatasetBundle, report: LoadReport, kind: str) -> int:
    """Created now or found identical: on a reused test database the first load finds it all."""
    return report.created[kind] + report.unchanged[kind]


class TestFirstLoad:
    def test_every_record_of_each_bundle_was_created_or_already_identical(
        self, load_reports: dict[str, LoadReport]
    ) -> None:
        lamdong, demo = build_lamdong_bundle(), build_demo_bundle()
        report = load_reports["lamdong"]
        assert count_of(lamdong, report, "unit") == len(lamdong.units) == 28
        assert count_of(lamdong, report, "lineage") == len(lamdong.lineage)
        assert count_of(lamdong, report, "year") == 2
        assert count_of(lamdong, report, "published_result") == len(lamdong.published_results)
        demo_report = load_reports["demo"]
        assert count_of(demo, demo_report, "unit") == len(demo.units)
        assert count_of(demo, demo_report, "criteria_set") == len(demo.criteria_sets)
        assert count_of(demo, demo_report, "leaf_score") == sum(
            len(spec.scores) for spec in demo.scores
        )

    async def test_bundled_units_and_years_are_stored(self, session: AsyncSession) -> None:
        lamdong, demo = build_lamdong_bundle(), build_demo_bundle()
        codes = set(await session.scalars(select(OrgUnit.code)))
        assert {unit.code for unit in lamdong.units + demo.units} <= codes
        result = await session.execute(select(AssessmentYear.year, AssessmentYear.status))
        statuses = dict(result.all())
        assert statuses[2024] == statuses[2025] == YearStatus.PUBLISHED
        assert {statuses[year] for year in (2021, 2022, 2023)} == {YearStatus.PUBLISHED}

    async def test_published_index_values_are_stored_exactly(self, session: AsyncSession) -> None:
        result = await session.execute(
            select(OrgUnit.code, PublishedResult.index_value)
            .join(OrgUnit, PublishedResult.unit_id == OrgUnit.id)
            .where(PublishedResult.year == 2024)
        )
        by_code = dict(result.all())
        for code in ("LD-DEP-HEALTH", "LD-DEP-NATURAL-RESOURCES-ENV"):
            assert isinstance(by_code[code], Decimal)
            assert by_code[code] == Decimal("87.21")
            assert str(by_code[code]) == "87.21"
        assert by_code["LD-DEP-HOME-AFFAIRS"] == Decimal("92.96")

    async def test_district_order_of_2024_is_stored_without_index_values(
        self, session: AsyncSession
    ) -> None:
        results = await published(session, 2024, "district")
        assert [result.published_rank for result in results] == list(range(1, 11))
        assert all(result.index_value is None for result in results)
        assert results[5].unit_id == await unit_id(session, "LD-DIS-DA-HUOAI")


class TestLoadingAgain:
    async def test_both_bundles_again_change_nothing(self, session: AsyncSession) -> None:
        before = await row_counts(session)
        for bundle in (build_lamdong_bundle(), build_demo_bundle()):
            report = await DatasetLoader(session).load(bundle)
            assert report.changed_anything is False, report.created
            assert sum(report.unchanged.values()) > 0
        assert await row_counts(session) == before


def rename_unit(bundle: DatasetBundle) -> DatasetBundle:
    units = [
        unit.model_copy(update={"name_en": "Ministry of Health"})
        if unit.code == "LD-DEP-HEALTH"
        else unit
        for unit in bundle.units
    ]
    return bundle.model_copy(update={"units": units})


def change_published_index(bundle: DatasetBundle) -> DatasetBundle:
    results = [
        result.model_copy(update={"index_value": Decimal("88.00")})
        if (result.unit, result.year) == ("LD-DEP-HEALTH", 2024)
        else result
        for result in bundle.published_results
    ]
    return bundle.model_copy(update={"published_results": results})


def move_the_cut_off(bundle: DatasetBundle) -> DatasetBundle:
    years = [
        year.model_copy(update={"units_as_of": date(2025, 3, 31)}) if year.year == 2024 else year
        for year in bundle.years
    ]
    return bundle.model_copy(update={"years": years})


class TestContradictingBundle:
    @pytest.mark.parametrize("contradict", [rename_unit, change_published_index, move_the_cut_off])
    async def test_is_refused_whole(
        self, session: AsyncSession, contradict: Callable[[DatasetBundle], DatasetBundle]
    ) -> None:
        bundle = contradict(build_lamdong_bundle())
        # Something new ahead of the contradiction, which must not be written either.
        new_unit = UnitCreate(code="T-NEW", name_vi="Mới", name_en="New", group="department")
        bundle = bundle.model_copy(update={"units": [new_unit, *bundle.units]})
        before = await row_counts(session)

        with pytest.raises(DatasetConflict):
            await DatasetLoader(session).load(bundle)

        assert await row_counts(session) == before
        assert await session.scalar(select(OrgUnit).where(OrgUnit.code == "T-NEW")) is None
        health = await session.scalar(select(OrgUnit).where(OrgUnit.code == "LD-DEP-HEALTH"))
        assert health is not None
        assert health.name_en == "Department of Health"
        result = await session.scalar(
            select(PublishedResult).where(
                PublishedResult.unit_id == health.id, PublishedResult.year == 2024
            )
        )
        assert result is not None
        assert result.index_value == Decimal("87.21")


def test_counted_tables_are_model_tables() -> None:
    assert {model.__tablename__ for model in COUNTED} <= set(Base.metadata.tables)
