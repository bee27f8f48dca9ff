"""Imports of one year on PostgreSQL: concurrent imports and publishing (the year lock keeps
states whole), and a connection lost in the middle of an import (nothing of it remains).

These tests commit real data on separate engines (separate connections), so they build their
own draft year, group and units, and delete them again in foreign-key order.
"""

import asyncio
import io
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from app.core.config import Settings
from app.core.db import async_url, create_engine
from app.core.errors import YearFrozen
from app.core.outages import is_database_outage
from app.core.result_cache import ResultCache
from app.models import (
    AssessmentYear,
    AuditEvent,
    CriteriaSet,
    Criterion,
    ImportRecord,
    LeafScore,
    OrgUnit,
    UnitGroup,
    YearRevision,
)
from app.schemas.audit import PublishRequest
from app.schemas.criteria import CriteriaSetPut
from app.schemas.datasets import GroupSpec
from app.schemas.imports import ImportOptions, ImportReportRead
from app.schemas.units import UnitCreate
from app.schemas.years import YearCreate
from app.services.access.viewer import EDITORIAL
from app.services.imports.service import ImportService, ImportSource
from app.services.publication.service import PublicationService
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaService
from app.services.registry.units import UnitService
from tests.builders import small_tree

UNITS = 120
LEAVES = ("1.1", "1.2", "2.1", "3.1", "3.2")
MAXIMA = {"1.1": Decimal("1.5"), "1.2": Decimal("2.5"), "2.1": Decimal(6), "3.1": Decimal(1)}
MAXIMA["3.2"] = Decimal(2)

State = dict[tuple[str, str], Decimal]


@dataclass(frozen=True)
class Scene:
    year: int
    group: str
    units: tuple[str, ...]

    def state(self, fraction: str) -> State:
        """Every leaf of every unit at `fraction` of its maximum (four decimals at most)."""
        return {
            (unit, leaf): (MAXIMA[leaf] * Decimal(fraction)).quantize(Decimal("0.0001"))
            for unit in self.units
            for leaf in LEAVES
        }


def csv_of(state: State) -> bytes:
    lines = ["unit_code,criterion_code,self_score,final_score,note"]
    lines += [f"{unit},{leaf},,{final}," for (unit, leaf), final in state.items()]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def pg_settings(settings: Settings) -> Settings:
    if not settings.effective_database_url.startswith("postgres"):
        pytest.skip(
            "needs PostgreSQL: row locks, concurrent transactions, and backends to terminate"
        )
    return settings


@pytest.fixture
async def engines(pg_settings: Settings) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    first, second = create_engine(pg_settings), create_engine(pg_settings)
    yield first, second
    await first.dispose()
    await second.dispose()


@pytest.fixture
async def scene(pg_settings: Settings, engine: AsyncEngine) -> AsyncIterator[Scene]:
    """A committed draft year with its own group, tree and units, removed afterwards."""
    tag = secrets.token_hex(3)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        taken = set(await session.scalars(select(AssessmentYear.year)))
        year = next(y for y in range(2099, 2050, -1) if y not in taken)
        group = f"t-conc-{tag}"
        units = tuple(f"T-CONC-{tag}-{n:03d}".upper() for n in range(UNITS))
        await UnitService(session).apply_group(GroupSpec(code=group, name_vi=group, name_en=group))
        years = YearService(session, viewer=EDITORIAL)
        await years.apply_create_year(YearCreate(year=year, note="concurrency"))
        for code in units:
            await UnitService(session).apply_create_unit(
                UnitCreate(code=code, name_vi=code, name_en=code, group=group)
            )
        await CriteriaService(session, years=years).apply_criteria_set(
            year=year, group=group, data=CriteriaSetPut.model_validate(small_tree())
        )
        await session.commit()
    scene = Scene(year, group, units)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await run_import(session, scene, scene.state("0.5"))
        yield scene
    finally:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            unit_ids = select(OrgUnit.id).where(OrgUnit.code.in_(units))
            await session.execute(delete(LeafScore).where(LeafScore.unit_id.in_(unit_ids)))
            await session.execute(delete(ImportRecord).where(ImportRecord.year == year))
            await session.execute(delete(YearRevision).where(YearRevision.year == year))
            await session.execute(delete(AuditEvent).where(AuditEvent.year == year))
            await session.execute(delete(CriteriaSet).where(CriteriaSet.year == year))
            await session.execute(delete(AssessmentYear).where(AssessmentYear.year == year))
            await session.execute(delete(OrgUnit).where(OrgUnit.code.in_(units)))
            await session.execute(delete(UnitGroup).where(UnitGroup.code == group))
            await session.commit()


async def run_import(
    session: AsyncSession, scene: Scene, state: State, *, parsing: asyncio.Event | None = None
) -> ImportReportRead:
    """Import `state`; `parsing` is set once the file is being read (the year lock is held)."""
    loop = asyncio.get_running_loop()

    def progress(_bytes_read: int) -> None:
        if parsing is not None:
            loop.call_soon_threadsafe(parsing.set)

    return await ImportService(session, ResultCache()).import_file(
        year=scene.year,
        source=ImportSource(io.BytesIO(csv_of(state)), "scores.csv", "text/csv"),
        options=ImportOptions(),
        progress=progress,
    )


async def stored_state(engine: AsyncEngine, scene: Scene) -> State:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        rows = await session.execute(
            select(OrgUnit.code, Criterion.code, LeafScore.final_score)
            .join(OrgUnit, LeafScore.unit_id == OrgUnit.id)
            .join(Criterion, LeafScore.criterion_id == Criterion.id)
            .where(OrgUnit.code.in_(scene.units))
        )
        return {(unit, leaf): final for unit, leaf, final in rows}


def publication(session: AsyncSession) -> PublicationService:
    return PublicationService(session, years=YearService(session, viewer=EDITORIAL))


async def year_status(engine: AsyncEngine, year: int) -> tuple[str, int]:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        found = await session.get(AssessmentYear, year)
        assert found is not None
        return found.status, found.revision


async def test_concurrent_imports_leave_exactly_one_file_s_state(
    scene: Scene, engines: tuple[AsyncEngine, AsyncEngine]
) -> None:
    files = (scene.state("0.25"), scene.state("0.75"))
    async with (
        AsyncSession(engines[0], expire_on_commit=False) as first,
        AsyncSession(engines[1], expire_on_commit=False) as second,
    ):
        reports = await asyncio.gather(
            run_import(first, scene, files[0]), run_import(second, scene, files[1])
        )
    assert [r.outcome for r in reports] == ["applied", "applied"]
    final = await stored_state(engines[0], scene)
    assert final in files
    # The later import diffed against the earlier one's committed state, never a mix.
    later = reports[files.index(final)]
    assert later.counts["changed"] == len(final)


async def test_a_second_import_waits_for_the_first_and_sees_its_data(
    scene: Scene, engines: tuple[AsyncEngine, AsyncEngine]
) -> None:
    parsing = asyncio.Event()
    async with (
        AsyncSession(engines[0], expire_on_commit=False) as first,
        AsyncSession(engines[1], expire_on_commit=False) as second,
    ):
        earlier = asyncio.create_task(
            run_import(first, scene, scene.state("0.25"), parsing=parsing)
        )
        await parsing.wait()
        later = await run_import(second, scene, scene.state("0.75"))
        assert earlier.done()
        earlier_report = earlier.result()
    assert earlier_report.counts["changed"] == later.counts["changed"] == UNITS * len(LEAVES)
    assert await stored_state(engines[0], scene) == scene.state("0.75")


async def test_publishing_during_an_import_waits_and_publishes_the_whole_import(
    scene: Scene, engines: tuple[AsyncEngine, AsyncEngine]
) -> None:
    parsing = asyncio.Event()
    finished: list[str] = []
    after = scene.state("0.75")

    async def importing() -> ImportReportRead:
        async with AsyncSession(engines[0], expire_on_commit=False) as session:
            report = await run_import(session, scene, after, parsing=parsing)
        finished.append("import")
        return report

    async def publishing() -> None:
        await parsing.wait()
        async with AsyncSession(engines[1], expire_on_commit=False) as session:
            await publication(session).publish(year=scene.year, data=PublishRequest())
        finished.append("publish")

    report, _ = await asyncio.gather(importing(), publishing())
    assert report.outcome == "applied"
    assert finished == ["import", "publish"]
    assert await year_status(engines[0], scene.year) == ("published", 1)
    assert await stored_state(engines[0], scene) == after


async def test_an_import_after_a_publish_is_refused_whole(
    scene: Scene, engines: tuple[AsyncEngine, AsyncEngine]
) -> None:
    before = await stored_state(engines[0], scene)
    async with (
        AsyncSession(engines[0], expire_on_commit=False) as first,
        AsyncSession(engines[1], expire_on_commit=False) as second,
    ):
        await publication(first).publish(year=scene.year, data=PublishRequest())
        with pytest.raises(YearFrozen):
            await run_import(second, scene, scene.state("0.75"))
    assert await stored_state(engines[0], scene) == before


# Where the connection is cut: after the file is staged (the diff reads the staging table), or
# while the year's scores are rewritten (their old rows already deleted in the transaction).
CUT_POINTS = {
    "after staging": re.compile(r"^\s*SELECT\b.*\bimport_score\b", re.S),
    "while writing scores": re.compile(r"^\s*INSERT INTO leaf_score\b"),
}


async def terminate_backends(engine: AsyncEngine, application_name: str) -> int:
    """pg_terminate_backend from another connection, waiting until each backend has ended.

    The pids are read first and terminated one by one by pid: a filter and the terminating
    call in one WHERE clause may be evaluated in any order, on every backend of the server.
    """
    async with engine.connect() as connection:
        pids = (
            await connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                ),
                {"name": application_name},
            )
        ).all()
        for pid in pids:
            await connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    return len(pids)


def cut_connection_before(
    importing: AsyncEngine, statement: re.Pattern[str], *, killer: AsyncEngine, name: str
) -> list[int]:
    """Before the first statement matching `statement`, the importing connection is terminated
    from another one; the list gets the number of backends ended."""
    ended: list[int] = []

    @event.listens_for(importing.sync_engine, "before_cursor_execute")
    def cut(connection: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not ended and statement.search(sql):
            # The hook is synchronous; run_async awaits a coroutine from inside it.
            connection.connection.dbapi_connection.run_async(
                lambda _driver: _record(ended, terminate_backends(killer, name))
            )

    return ended


async def _record(ended: list[int], count: Any) -> None:
    ended.append(await count)


async def import_count(engine: AsyncEngine, year: int) -> int:
    async with AsyncSession(engine) as session:
        found = await session.scalar(
            select(func.count()).select_from(ImportRecord).where(ImportRecord.year == year)
        )
    return int(found or 0)


@pytest.mark.parametrize("cut_point", list(CUT_POINTS))
async def test_a_connection_lost_mid_import_leaves_nothing_and_the_next_import_applies(
    scene: Scene, pg_settings: Settings, engine: AsyncEngine, cut_point: str
) -> None:
    name = f"par-index-outage-{secrets.token_hex(4)}"
    importing = create_async_engine(
        async_url(pg_settings.effective_database_url),
        connect_args={"server_settings": {"application_name": name}},
        pool_pre_ping=True,
    )
    before = await stored_state(engine, scene)
    imports_before = await import_count(engine, scene.year)
    after = scene.state("0.75")
    ended = cut_connection_before(importing, CUT_POINTS[cut_point], killer=engine, name=name)
    try:
        async with AsyncSession(importing, expire_on_commit=False) as session:
            with pytest.raises(Exception) as lost:
                await run_import(session, scene, after)
        assert ended == [1], repr(lost.value)
        assert is_database_outage(lost.value), repr(lost.value)
        assert await stored_state(engine, scene) == before
        assert await import_count(engine, scene.year) == imports_before
        assert await year_status(engine, scene.year) == ("draft", 0)
        # The same engine again: the lost connection was discarded, the year lock released.
        async with AsyncSession(importing, expire_on_commit=False) as session:
            report = await run_import(session, scene, after)
        assert report.outcome == "applied"
        assert await stored_state(engine, scene) == after
    finally:
        await importing.dispose()
