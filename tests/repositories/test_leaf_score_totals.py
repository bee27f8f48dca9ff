"""leaf_score_total equals its leaf scores after every path that writes them.

Each test writes scores one way (score PUT, imports, a correction, the data set loads, a
criteria set replaced, plain SQL) and compares the whole table with a recomputation from
`leaf_score` in Python: exact Decimals, a penalty leaf subtracted, nothing read from the table
under test. The session fixture's rolled-back transaction sees the triggers' work directly.
"""

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from app.core.config import Settings
from app.core.db import async_url
from app.core.migrations import downgrade_connection, upgrade_connection
from app.datasets.demo import build_demo_bundle
from app.models import CriteriaSet, Criterion, LeafScore, LeafScoreTotal, OrgUnit
from app.services.registry.datasets import DatasetLoader
from tests.api.test_imports import csv_file, post_import, unit_lines
from tests.builders import add_group, create_draft_year, create_unit, put_small_tree

YEAR = 2031
GROUP = "t-totals"
UNITS = ("T-TOT-A", "T-TOT-B")
# The revision before leaf_score_total, to replay its backfill.
BEFORE_TOTALS = "8e3f6a1c2d45"

Totals = dict[tuple[int, int], tuple[int, int, Decimal]]


async def recomputed(connection: AsyncConnection | AsyncSession) -> Totals:
    """Per (criteria set, unit): leaf_score rows, finals, Σ final (penalties subtracted)."""
    rows = await connection.execute(
        select(
            Criterion.criteria_set_id, LeafScore.unit_id, Criterion.method, LeafScore.final_score
        ).join(Criterion, Criterion.id == LeafScore.criterion_id)
    )
    totals: dict[tuple[int, int], list[Any]] = {}
    for set_id, unit_id, method, final in rows:
        entry = totals.setdefault((set_id, unit_id), [0, 0, Decimal(0)])
        entry[0] += 1
        if final is not None:
            entry[1] += 1
            # SQLite hands NUMERIC back through a float: its stored scale is four decimals.
            exact = Decimal(final).quantize(Decimal("0.0001"))
            entry[2] += -exact if method == "penalty" else exact
    return {key: (rows_, finals, total) for key, (rows_, finals, total) in totals.items()}


async def stored(connection: AsyncConnection | AsyncSession) -> Totals:
    rows = await connection.execute(
        select(
            LeafScoreTotal.criteria_set_id,
            LeafScoreTotal.unit_id,
            LeafScoreTotal.score_rows,
            LeafScoreTotal.final_count,
            LeafScoreTotal.final_units,
        )
    )
    return {
        (set_id, unit_id): (score_rows, final_count, Decimal(final_units) / 10_000)
        for set_id, unit_id, score_rows, final_count, final_units in rows
    }


async def assert_consistent(session: AsyncSession) -> Totals:
    await session.flush()
    expected = await recomputed(session)
    assert await stored(session) == expected
    return expected


async def set_totals(session: AsyncSession, year: int = YEAR) -> Totals:
    """The stored totals of the test group's criteria set of `year`, by unit code."""
    set_id = await session.scalar(
        select(CriteriaSet.id).where(CriteriaSet.year == year, CriteriaSet.group.has(code=GROUP))
    )
    totals = await stored(session)
    return {key: value for key, value in totals.items() if key[0] == set_id}


async def unit_id(session: AsyncSession, code: str) -> int:
    found = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    assert found is not None
    return found


@pytest.fixture
async def scored(client: AsyncClient, session: AsyncSession) -> None:
    """A draft year, the small tree (a bonus and a penalty leaf) and two units of a group."""
    await add_group(session, GROUP)
    await create_draft_year(client, YEAR)
    await put_small_tree(client, YEAR, GROUP)
    for code in UNITS:
        await create_unit(client, code, GROUP)


async def put_scores(
    client: AsyncClient, unit: str, finals: dict[str, str | None], **extra: str
) -> None:
    body = {"scores": [{"criterion": c, "final_score": f} for c, f in finals.items()], **extra}
    response = await client.put(f"/api/v1/years/{YEAR}/units/{unit}/scores", json=body)
    assert response.status_code == 200, response.text


async def test_the_bundled_data_sets_loaded_by_the_loader_are_added_up(
    session: AsyncSession,
) -> None:
    totals = await assert_consistent(session)
    assert len(totals) > 50  # 95 unit-years of demo scores


@pytest.mark.usefixtures("scored")
async def test_score_put_adds_replaces_and_empties(
    client: AsyncClient, session: AsyncSession
) -> None:
    first = {"1.1": "1.25", "1.2": "2", "2.1": "5.5", "3.1": "0.5", "3.2": "1.5"}
    await put_scores(client, UNITS[0], first)
    await put_scores(client, UNITS[1], {"1.1": "1.5", "2.1": None})
    await assert_consistent(session)
    a, b = await unit_id(session, UNITS[0]), await unit_id(session, UNITS[1])
    by_unit = {key[1]: value for key, value in (await set_totals(session)).items()}
    # 1.25 + 2 + 5.5 + 0.5 (bonus) − 1.5 (penalty); B: one final, one leaf without.
    assert by_unit == {a: (5, 5, Decimal("7.75")), b: (2, 1, Decimal("1.5"))}

    await put_scores(client, UNITS[0], {"2.1": "6"})
    await put_scores(client, UNITS[1], {})
    await assert_consistent(session)
    by_unit = {key[1]: value for key, value in (await set_totals(session)).items()}
    assert by_unit == {a: (1, 1, Decimal(6))}


@pytest.mark.usefixtures("scored")
async def test_imports_fresh_replacing_removing_and_dry_run(
    client: AsyncClient, session: AsyncSession
) -> None:
    both = csv_file(*unit_lines(UNITS[0]), *unit_lines(UNITS[1]))
    response = await post_import(client, both, year=YEAR)
    assert response.json()["outcome"] == "applied", response.text
    before = await assert_consistent(session)

    fewer = {"1.1": "0.75", "2.1": "3", "3.2": "2"}
    response = await post_import(
        client,
        csv_file(*unit_lines(UNITS[1], fewer)),
        year=YEAR,
        dry_run=True,
        missing_leaves="zero",
    )
    assert response.status_code == 200, response.text
    assert await assert_consistent(session) == before

    response = await post_import(
        client, csv_file(*unit_lines(UNITS[1], fewer)), year=YEAR, missing_leaves="zero"
    )
    assert response.json()["outcome"] == "applied", response.text
    await assert_consistent(session)
    b = await unit_id(session, UNITS[1])
    by_unit = {key[1]: value for key, value in (await set_totals(session)).items()}
    # 0.75 + 3 − 2, the two leaves the file leaves out scored zero.
    assert by_unit[b] == (5, 5, Decimal("1.75"))


@pytest.mark.usefixtures("scored")
async def test_a_correction_of_a_published_year(client: AsyncClient, session: AsyncSession) -> None:
    for code in UNITS:
        await put_scores(client, code, {"1.1": "1", "2.1": "4"})
    response = await client.post(f"/api/v1/years/{YEAR}/publish", json={"legal_basis": "QĐ 1/T"})
    assert response.status_code == 200, response.text
    await put_scores(client, UNITS[0], {"1.1": "1", "2.1": "4.25"}, correction_reason="Typo")
    await assert_consistent(session)
    a = await unit_id(session, UNITS[0])
    by_unit = {key[1]: value for key, value in (await set_totals(session)).items()}
    assert by_unit[a] == (2, 2, Decimal("5.25"))


@pytest.mark.usefixtures("scored")
async def test_a_criteria_set_renamed_once_scored_keeps_its_totals(
    client: AsyncClient, session: AsyncSession
) -> None:
    await put_scores(client, UNITS[0], {"1.1": "1", "3.2": "0.5"})
    before = await set_totals(session)
    tree = (await client.get(f"/api/v1/years/{YEAR}/criteria/{GROUP}")).json()
    renamed = {
        "max_score": tree["max_score"],
        "criteria": [
            {key: node[key] for key in ("code", "name_vi", "name_en", "max_score", "method")}
            | {"name_en": f"{node['name_en']} (renamed)"}
            for node in tree["criteria"]
        ],
        "bands": [
            {key: band[key] for key in ("label_vi", "label_en", "min_index")}
            for band in tree["bands"]
        ],
    }
    response = await client.put(f"/api/v1/years/{YEAR}/criteria/{GROUP}", json=renamed)
    assert response.status_code == 200, response.text
    await assert_consistent(session)
    assert await set_totals(session) == before


@pytest.mark.usefixtures("scored")
async def test_plain_sql_on_scores_and_on_the_criteria_they_hang_on(
    client: AsyncClient, session: AsyncSession
) -> None:
    """Writes no service makes: the triggers keep the table right all the same."""
    await put_scores(client, UNITS[0], {"1.1": "1", "1.2": "2", "3.2": "0.5"})
    await put_scores(client, UNITS[1], {"1.1": "1.5"})
    leaf_rows = await session.execute(
        select(Criterion.code, Criterion.id)
        .join(CriteriaSet, CriteriaSet.id == Criterion.criteria_set_id)
        .where(CriteriaSet.year == YEAR, Criterion.method.is_not(None))
    )
    leaves: dict[str, int] = dict(leaf_rows.all())
    a = await unit_id(session, UNITS[0])
    await session.execute(
        update(LeafScore)
        .where(LeafScore.unit_id == a, LeafScore.criterion_id == leaves["1.2"])
        .values(final_score=Decimal("2.125"))
    )
    await assert_consistent(session)
    await session.execute(
        update(LeafScore)
        .where(LeafScore.unit_id == a, LeafScore.criterion_id == leaves["1.1"])
        .values(final_score=None)
    )
    await assert_consistent(session)
    # A leaf's method gives its sign: a penalty turned appraisal is added, no longer subtracted.
    await session.execute(
        update(Criterion).where(Criterion.id == leaves["3.2"]).values(method="appraisal")
    )
    await assert_consistent(session)
    # A scored leaf deleted outright takes its scores (ON DELETE CASCADE) out of the totals.
    await session.execute(delete(Criterion).where(Criterion.id == leaves["1.2"]))
    await assert_consistent(session)
    await session.execute(delete(LeafScore).where(LeafScore.unit_id == a))
    totals = await assert_consistent(session)
    assert not [key for key in totals if key[1] == a]


@pytest.fixture
async def empty_database(tmp_path: Path, settings: Settings) -> AsyncIterator[str]:
    """A new, empty database on the run's server (or a new SQLite file)."""
    url = settings.database.url.get_secret_value()
    if not url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'backfill.sqlite3'}"
        return
    name = f"par_index_totals_{uuid.uuid4().hex[:12]}"
    server = async_url(url)
    maintenance = create_async_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with maintenance.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            async with maintenance.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await maintenance.dispose()


async def test_the_migration_fills_the_table_from_the_stored_scores(empty_database: str) -> None:
    engine = create_async_engine(empty_database)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await DatasetLoader(session).load(build_demo_bundle())

        def replay(connection: Connection) -> None:
            downgrade_connection(connection, BEFORE_TOTALS)
            upgrade_connection(connection)

        async with engine.begin() as connection:
            await connection.run_sync(replay)
        async with engine.connect() as connection:
            expected = await recomputed(connection)
            assert expected
            assert await stored(connection) == expected
    finally:
        await engine.dispose()
