"""Rankings benchmark: a deterministic synthetic data set, bulk-loaded, then timed over HTTP.

Run from the project root:

    .venv/bin/python bench/rankings.py                 # full scale, SQLite and PostgreSQL
    .venv/bin/python bench/rankings.py --quick --db sqlite

The data set (≈ 2M leaf scores at full scale) is written straight into a freshly migrated
database: that is set-up, not what is measured. What is measured is the HTTP API, in process
(httpx ASGITransport, no sockets), cold (the first request after a write, i.e. after the data
revision moved) and warm (served from the in-memory result cache). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import logging
import math
import os
import platform
import pstats
import random
import re
import sqlite3
import statistics
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import sqlalchemy
from bulk_tables import BANDS, TABLE_COLUMNS
from pydantic import SecretStr
from run_context import machine, source_state
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from throwaway_pg import pg_admin, pg_server_version, pg_url

from app import main as app_main
from app.core.config import DatabaseSettings, Settings
from app.core.db import create_engine, create_session_factory
from app.core.migrations import script_heads, upgrade_connection
from app.core.result_cache import ResultCache
from app.main import create_app, current_release
from app.models import Base
from app.services.access.viewer import EDITORIAL
from app.services.publication.years import YearService
from app.services.registry.units import search_text
from app.services.results.group_results import GroupResultService
from app.services.results.ranking import RankingService

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"

LAST_YEAR = 2020  # 2021-2025 hold the real and demo data sets; stay below them.
MEASURE_YEAR = LAST_YEAR
# Big groups are carved first (in this order, each only if it still fits), then 50-unit groups.
BIG_GROUP_SIZES = (1000, 300, 150, 500)
SMALL_GROUP_SIZE = 50
MEASURED_GROUPS = ("bench-g150", "bench-g300", "bench-g1000")
FULL = {"units": 2000, "years": 10, "leaves": 100}
QUICK = {"units": 500, "years": 2, "leaves": 20}
LEAF_CHUNK = 50_000

SERIAL_TABLES = ("unit_group", "org_unit", "criteria_set", "criterion", "band", "leaf_score")
# Scores are whole cents of a 1-point leaf: 0.00 … 1.00, at most two decimals.
CENTS = tuple(Decimal(c).scaleb(-2) for c in range(101))

Row = tuple[Any, ...]


# --------------------------------------------------------------------------------------------
# The synthetic data set
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    units: int
    years: int
    leaves: int
    seed: int

    @property
    def year_list(self) -> list[int]:
        return list(range(LAST_YEAR - self.years + 1, LAST_YEAR + 1))


@dataclass(frozen=True)
class GroupPlan:
    id: int
    code: str
    size: int
    first_unit_id: int

    @property
    def unit_ids(self) -> range:
        return range(self.first_unit_id, self.first_unit_id + self.size)


@dataclass(frozen=True)
class SetPlan:
    id: int
    year: int
    group: GroupPlan
    leaf_ids: tuple[int, ...]


@dataclass
class Dataset:
    scale: Scale
    groups: list[GroupPlan]
    static: dict[str, list[Row]]
    sets: list[SetPlan]
    criterion_field: str

    @property
    def leaf_rows(self) -> int:
        return sum(s.group.size * len(s.leaf_ids) for s in self.sets)

    def unit_code(self, unit_id: int) -> str:
        return f"BENCH-{unit_id:05d}"

    def group(self, code: str) -> GroupPlan | None:
        return next((g for g in self.groups if g.code == code), None)

    def leaf_chunks(self, size: int = LEAF_CHUNK) -> Iterator[list[Row]]:
        """Every leaf score, in chunks; the same rows on every call (seeded generators)."""
        ability_rng = random.Random(f"{self.scale.seed}:ability")
        ability = {uid: ability_rng.uniform(0.45, 0.95) for g in self.groups for uid in g.unit_ids}
        rng = random.Random(f"{self.scale.seed}:leaves")
        first_year = self.scale.year_list[0]
        next_id = 1
        chunk: list[Row] = []
        for plan in self.sets:
            drift = 0.004 * (plan.year - first_year)
            for uid in plan.group.unit_ids:
                base = ability[uid] + drift
                for leaf_id in plan.leaf_ids:
                    final = min(100, max(0, int(100 * (base + (rng.random() - 0.5) * 0.6))))
                    own = min(100, final + int(rng.random() * 12))
                    chunk.append((next_id, uid, leaf_id, CENTS[own], CENTS[final], None))
                    next_id += 1
                    if len(chunk) >= size:
                        yield chunk
                        chunk = []
        if chunk:
            yield chunk


def plan_groups(units: int) -> list[tuple[str, int]]:
    plans: list[tuple[str, int]] = []
    remaining = units
    for size in BIG_GROUP_SIZES:
        if remaining >= size:
            plans.append((f"bench-g{size}", size))
            remaining -= size
    number = 1
    while remaining > 0:
        size = min(SMALL_GROUP_SIZE, remaining)
        plans.append((f"bench-s{number:03d}", size))
        remaining -= size
        number += 1
    return plans


def tree_shape(leaves: int) -> list[int]:
    """Leaves per field: 10 fields (fewer if there are fewer leaves), as even as possible."""
    fields = min(10, leaves)
    return [leaves // fields + (1 if f < leaves % fields else 0) for f in range(fields)]


def build_dataset(scale: Scale) -> Dataset:
    groups: list[GroupPlan] = []
    unit_rows: list[Row] = []
    group_rows: list[Row] = []
    next_unit = 1
    for group_id, (code, size) in enumerate(plan_groups(scale.units), start=1):
        plan = GroupPlan(id=group_id, code=code, size=size, first_unit_id=next_unit)
        groups.append(plan)
        group_rows.append(
            (
                group_id,
                code,
                f"Nhóm thử nghiệm {code} ({size} đơn vị)",
                f"Benchmark group {code} ({size} units)",
                900 + group_id,
            )
        )
        for uid in plan.unit_ids:
            unit_code = f"BENCH-{uid:05d}"
            name_vi = f"Đơn vị thử nghiệm số {uid}"
            name_en = f"Benchmark unit no. {uid}"
            unit_rows.append(
                (
                    uid,
                    unit_code,
                    name_vi,
                    name_en,
                    group_id,
                    None,
                    None,
                    None,
                    search_text(code=unit_code, name_vi=name_vi, name_en=name_en),
                )
            )
        next_unit += size

    published_at = datetime(LAST_YEAR + 1, 3, 1, tzinfo=UTC)
    year_rows: list[Row] = [
        (
            year,
            "published",
            published_at,
            date(year, 12, 31),  # the default cut-off of a year's units (assessment_year)
            None,
            "benchmark data (bench/rankings.py)",
            None,
        )
        for year in scale.year_list
    ]
    shape = tree_shape(scale.leaves)
    set_rows: list[Row] = []
    criterion_rows: list[Row] = []
    band_rows: list[Row] = []
    sets: list[SetPlan] = []
    set_id = criterion_id = band_id = 0
    for year in scale.year_list:
        for plan in groups:
            set_id += 1
            set_rows.append((set_id, year, plan.id, Decimal(scale.leaves)))
            leaf_ids: list[int] = []
            order = 0
            for field_no, count in enumerate(shape, start=1):
                criterion_id += 1
                field_id = criterion_id
                order += 1
                criterion_rows.append(
                    (
                        field_id,
                        set_id,
                        None,
                        str(field_no),
                        f"Lĩnh vực {field_no}",
                        f"Field {field_no}",
                        Decimal(count),
                        None,
                        order,
                    )
                )
                for leaf_no in range(1, count + 1):
                    criterion_id += 1
                    order += 1
                    # The last leaf of a field (of two or more) is a survey; the rest appraisal.
                    method = "survey" if count > 1 and leaf_no == count else "appraisal"
                    criterion_rows.append(
                        (
                            criterion_id,
                            set_id,
                            field_id,
                            f"{field_no}.{leaf_no}",
                            f"Tiêu chí {field_no}.{leaf_no}",
                            f"Criterion {field_no}.{leaf_no}",
                            Decimal(1),
                            method,
                            order,
                        )
                    )
                    leaf_ids.append(criterion_id)
            for label_vi, label_en, minimum in BANDS:
                band_id += 1
                band_rows.append((band_id, set_id, label_vi, label_en, minimum))
            sets.append(SetPlan(id=set_id, year=year, group=plan, leaf_ids=tuple(leaf_ids)))
    return Dataset(
        scale=scale,
        groups=groups,
        static={
            "unit_group": group_rows,
            "org_unit": unit_rows,
            "assessment_year": year_rows,
            "criteria_set": set_rows,
            "criterion": criterion_rows,
            "band": band_rows,
        },
        sets=sets,
        criterion_field="3" if len(shape) >= 3 else "1",
    )


# --------------------------------------------------------------------------------------------
# Databases: create, migrate, bulk-load, drop
# --------------------------------------------------------------------------------------------


# Settings ignores keys it does not know, so these hold before and after the features land.
APP_OVERRIDES: dict[str, Any] = {
    # One client sending thousands of requests is what a benchmark is, not abuse.
    "rate_limit": {"enabled": False},
    # No access-log line per request on stdout, in between the figures.
    "logging": {"level": "WARNING"},
}


def bench_settings(url: str) -> Settings:
    return Settings(
        database=DatabaseSettings(url=SecretStr(url), pool_size=10),
        database_url=None,
        **APP_OVERRIDES,
    )


@dataclass
class LoadReport:
    seconds: float
    leaf_rows: int
    size_bytes: int

    @property
    def rate(self) -> float:
        return self.leaf_rows / self.seconds if self.seconds else 0.0


async def bump_revision(engine: AsyncEngine) -> None:
    """A write as the app makes one: its own committed transaction moving the data revision."""
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE data_revision SET revision = revision + 1 WHERE id = 1")
        )


async def migrate(engine: AsyncEngine) -> None:
    # Alembic logs each step at INFO, and the app may route logging to stdout: keep it quiet.
    logging.disable(logging.INFO)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
    finally:
        logging.disable(logging.NOTSET)
        # alembic.ini set its logger to INFO; /readyz reading the heads would log through it.
        logging.getLogger("alembic").setLevel(logging.WARNING)


async def finish_load(engine: AsyncEngine, dataset: Dataset) -> None:
    """Publication bookkeeping newer schemas keep for published years, then one write.

    When the schema has year revisions (assessment_year.revision, year_revision), a published
    year is at revision 1 with a 'publish' row, as the migration that added them sets up for
    years published before it. Older schemas have neither and need nothing.
    """

    def schema(connection: Any) -> tuple[set[str], set[str]]:
        inspector = sqlalchemy.inspect(connection)
        columns = {column["name"] for column in inspector.get_columns("assessment_year")}
        return set(inspector.get_table_names()), columns

    years = {"first": dataset.scale.year_list[0], "last": dataset.scale.year_list[-1]}
    async with engine.begin() as connection:
        tables, year_columns = await connection.run_sync(schema)
        if "revision" in year_columns:
            await connection.execute(
                text(
                    "UPDATE assessment_year SET revision = 1 "
                    "WHERE status = 'published' AND year BETWEEN :first AND :last"
                ),
                years,
            )
        if "year_revision" in tables:
            await connection.execute(
                text(
                    "INSERT INTO year_revision (year, number, kind, created_at) "
                    "SELECT year, 1, 'publish', published_at FROM assessment_year "
                    "WHERE status = 'published' AND year BETWEEN :first AND :last"
                ),
                years,
            )
    await bump_revision(engine)


async def load_sqlite(dataset: Dataset, url: str) -> LoadReport:
    engine = create_engine(bench_settings(url))
    try:
        await migrate(engine)
        started = time.perf_counter()
        async with engine.begin() as connection:
            await connection.exec_driver_sql("PRAGMA cache_size=-262144")
            for table, rows in dataset.static.items():
                await _insert_chunks(connection, table, rows)
            for chunk in dataset.leaf_chunks():
                await _insert_chunks(connection, "leaf_score", chunk)
        await finish_load(engine, dataset)
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return LoadReport(seconds, dataset.leaf_rows, sqlite_size(url))


def sqlite_size(url: str) -> int:
    return Path(sqlalchemy.make_url(url).database or "").stat().st_size


async def _insert_chunks(connection: AsyncConnection, table: str, rows: Sequence[Row]) -> None:
    """Core insert() executemany, in chunks (SQLAlchemy binds Decimal the way the app does)."""
    columns = TABLE_COLUMNS[table]
    statement = insert(Base.metadata.tables[table])
    for start in range(0, len(rows), LEAF_CHUNK):
        await connection.execute(
            statement,
            [dict(zip(columns, row, strict=True)) for row in rows[start : start + LEAF_CHUNK]],
        )


async def load_postgres(dataset: Dataset, url: str) -> LoadReport:
    engine = create_engine(bench_settings(url))
    try:
        await migrate(engine)
        started = time.perf_counter()
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            pg: Any = raw.driver_connection
            async with pg.transaction():
                for table, rows in dataset.static.items():
                    await pg.copy_records_to_table(
                        table, records=rows, columns=list(TABLE_COLUMNS[table])
                    )
                for chunk in dataset.leaf_chunks():
                    await pg.copy_records_to_table(
                        "leaf_score", records=chunk, columns=list(TABLE_COLUMNS["leaf_score"])
                    )
                for table in SERIAL_TABLES:
                    await pg.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
            copied = time.perf_counter() - started
            # What autovacuum would do shortly after a bulk load; makes the plans deterministic.
            await pg.execute("VACUUM ANALYZE")
            size = int(await pg.fetchval("SELECT pg_database_size(current_database())"))
        await finish_load(engine, dataset)
    finally:
        await engine.dispose()
    print(f"  (COPY took {copied:.1f} s; VACUUM ANALYZE after it is included in the load time)")
    return LoadReport(time.perf_counter() - started, dataset.leaf_rows, size)


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


class SqlRecorder:
    """Counts and times the statements an engine runs, keyed by statement shape."""

    _in_list = re.compile(r"\((?:\s*(?:\?|\$\d+|%\(\w+\)s)\s*,)+\s*(?:\?|\$\d+|%\(\w+\)s)\s*\)")

    def __init__(self, engine: AsyncEngine) -> None:
        self.stats: dict[str, list[float]] = {}
        self._started: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)
        event.listen(engine.sync_engine, "connect", self._on_connect)

    def reset(self) -> None:
        self.stats = {}

    @property
    def count(self) -> int:
        return int(sum(entry[0] for entry in self.stats.values()))

    @property
    def seconds(self) -> float:
        return sum(entry[1] for entry in self.stats.values())

    def top(self, n: int) -> list[tuple[str, int, float]]:
        ranked = sorted(self.stats.items(), key=lambda item: -item[1][1])
        return [(shape, int(entry[0]), entry[1]) for shape, entry in ranked[:n]]

    def _before(self, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._add(statement, time.perf_counter() - self._started.pop())

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        # The app runs a few queries on the asyncpg connection itself, past SQLAlchemy's
        # cursor events; asyncpg's query logger sees those (and not SQLAlchemy's prepared
        # statements, so nothing is counted twice). Transaction control and pool pings are
        # left out, as the cursor events leave them out.
        driver = getattr(dbapi_connection, "driver_connection", None)
        add_logger = getattr(driver, "add_query_logger", None)
        if callable(add_logger):
            add_logger(self._logged)

    def _logged(self, record: Any) -> None:
        if record.query.strip().rstrip(";").upper() not in {"", "BEGIN", "COMMIT", "ROLLBACK"}:
            self._add(record.query, record.elapsed)

    def _add(self, statement: str, elapsed: float) -> None:
        shape = self._in_list.sub("(…)", " ".join(statement.split()))
        entry = self.stats.setdefault(shape, [0.0, 0.0])
        entry[0] += 1
        entry[1] += elapsed


class GcClock:
    """Time spent in the cyclic garbage collector, and how many full (gen 2) collections."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        if info["generation"] == 2:
            self.full += 1


GC_CLOCK = GcClock()


def percentile(samples_ns: Sequence[int], fraction: float) -> float:
    """Nearest-rank percentile in milliseconds (p99 of fewer than 100 samples is the maximum)."""
    ordered = sorted(samples_ns)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1] / 1e6


@dataclass
class Timing:
    samples_ns: list[int] = field(default_factory=list)
    statements: int = 0
    gc_seconds: float = 0.0
    gc_full: int = 0

    @property
    def gc_ms_per_sample(self) -> float:
        return self.gc_seconds * 1000 / max(1, len(self.samples_ns))

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ns) / 1e6

    @property
    def p99(self) -> float:
        return percentile(self.samples_ns, 0.99)


@dataclass
class CaseResult:
    endpoint: str
    group: str
    cold: Timing
    warm: Timing
    app_warm: Timing | None = None
    sql_top: list[tuple[str, int, float]] = field(default_factory=list)
    sql_seconds: float = 0.0
    split: tuple[Timing, Timing] | None = None


@dataclass
class DbReport:
    name: str
    load: LoadReport
    cases: list[CaseResult]
    skipped: list[str]
    profile: str | None = None
    revision_check: Timing | None = None


@dataclass(frozen=True)
class Case:
    label: str
    path: str  # with {year}, {group}, {unit}, {criterion}
    optional: bool  # being written: skip when the route itself does not exist


CASES = (
    Case("ranking", "/api/v1/years/{year}/rankings/{group}", optional=False),
    Case(
        "ranking ?criterion", "/api/v1/years/{year}/rankings/{group}?criterion={criterion}", False
    ),
    Case("unit breakdown", "/api/v1/years/{year}/units/{unit}/breakdown", optional=True),
    Case("unit improvements", "/api/v1/years/{year}/units/{unit}/improvements?limit=10", True),
    Case("group improvements", "/api/v1/years/{year}/improvements/{group}?limit=3", True),
    Case("unit history", "/api/v1/units/{unit}/history", optional=True),
    # The HTML ranking page, rendered from the same cached ranking as the JSON endpoint.
    Case("page: ranking", "/years/{year}/rankings/{group}", optional=True),
)


@dataclass
class Harness:
    engine: AsyncEngine
    client: httpx.AsyncClient
    app_cache: ResultCache
    session_factory: Any
    recorder: SqlRecorder
    cold_samples: int
    warm_samples: int
    cold_budget_s: float

    async def write(self) -> None:
        """A write, then the next request is the first after it.

        The revision moves in its own committed transaction. A worker may trust its last
        reading of the revision for a short interval (CacheSettings.revision_check_ms) but
        re-reads it at once after its own writes; expiring that reading makes the write count
        as this worker's, so the next request is cold whatever the interval.
        """
        await bump_revision(self.engine)
        expire = getattr(self.app_cache, "expire", None)
        if callable(expire):
            expire()

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def timed(self, path: str) -> int:
        started = time.perf_counter_ns()
        response = await self.client.get(path)
        elapsed = time.perf_counter_ns() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} → {response.status_code}: {response.text[:300]}")
        return elapsed

    async def cold(self, path: str) -> tuple[Timing, SqlRecorder]:
        timing = Timing()
        spent = 0.0
        for done in range(1, self.cold_samples + 1):
            await self.write()
            self.recorder.reset()
            gc_seconds, gc_full = GC_CLOCK.seconds, GC_CLOCK.full
            elapsed = await self.timed(path)
            timing.gc_seconds += GC_CLOCK.seconds - gc_seconds
            timing.gc_full += GC_CLOCK.full - gc_full
            timing.samples_ns.append(elapsed)
            timing.statements = self.recorder.count
            spent += elapsed / 1e9
            if spent > self.cold_budget_s and done >= 5:
                break
        return timing, self.recorder

    async def warm(self, path: str) -> Timing:
        await self.timed(path)  # fill the cache; not counted
        self.recorder.reset()
        timing = Timing()
        for _ in range(self.warm_samples):
            timing.samples_ns.append(await self.timed(path))
        timing.statements = self.recorder.count // max(1, self.warm_samples)
        return timing

    def group_results(self, session: AsyncSession) -> GroupResultService:
        """Group results over the app's cache, seen editorially (drafts included)."""
        return GroupResultService(
            session, self.app_cache, years=YearService(session, viewer=EDITORIAL)
        )

    async def app_warm(self, group: str, criterion: str | None) -> Timing:
        """RankingService straight, no HTTP: a session, the revision check, the cache hit."""

        async def call() -> bytes:
            async with self.session_factory() as session:
                service = RankingService(self.group_results(session))
                return await service.ranking_json(
                    year=MEASURE_YEAR, group=group, criterion=criterion, language="vi"
                )

        await call()
        timing = Timing()
        for _ in range(self.warm_samples):
            started = time.perf_counter_ns()
            await call()
            timing.samples_ns.append(time.perf_counter_ns() - started)
        return timing

    async def revision_check(self) -> Timing:
        """What a warm hit cannot avoid: a session and the data-revision SELECT, nothing else."""
        timing = Timing()
        for _ in range(self.warm_samples):
            started = time.perf_counter_ns()
            async with self.session_factory() as session:
                await session.execute(text("SELECT revision FROM data_revision WHERE id = 1"))
            timing.samples_ns.append(time.perf_counter_ns() - started)
        return timing

    async def app_cold_split(
        self, group: str, samples: int, *, previous_year: bool
    ) -> tuple[Timing, Timing]:
        """Cold, no HTTP: the snapshots a ranking needs (its year and the one before), then the
        whole ranking_json, each after a write."""
        snapshots, whole = Timing(), Timing()
        for _ in range(samples):
            await self.write()
            async with self.session_factory() as session:
                results = self.group_results(session)
                started = time.perf_counter_ns()
                await results.group_year(year=MEASURE_YEAR, group=group)
                if previous_year:
                    await results.group_year(year=MEASURE_YEAR - 1, group=group)
                snapshots.samples_ns.append(time.perf_counter_ns() - started)
            await self.write()
            async with self.session_factory() as session:
                service = RankingService(self.group_results(session))
                started = time.perf_counter_ns()
                await service.ranking_json(
                    year=MEASURE_YEAR, group=group, criterion=None, language="vi"
                )
                whole.samples_ns.append(time.perf_counter_ns() - started)
        return snapshots, whole


async def route_exists(harness: Harness, path: str) -> tuple[bool, str]:
    response = await harness.get(path)
    if response.status_code == 200:
        return True, ""
    detail = ""
    if response.headers.get("content-type", "").endswith("json"):
        body = response.json()
        detail = str(body.get("detail", "")) if isinstance(body, dict) else ""
    if response.status_code == 404 and detail == "Not Found":
        return False, "route not found (not landed yet)"
    return False, f"answered {response.status_code}: {detail or response.text[:200]}"


async def measure(name: str, url: str, dataset: Dataset, args: argparse.Namespace) -> DbReport:
    settings = bench_settings(url)
    engine = create_engine(settings)
    # The first request works out the release (ETags) by building an app with default
    # settings, which configures logging at INFO: one access-log line per request from then
    # on. Worked out here, before the measured app configures logging at WARNING.
    current_release()
    app = create_app(settings)
    # ASGITransport does not run the lifespan: give the app what the lifespan would.
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.migration_heads = script_heads()
    recorder = SqlRecorder(engine)
    if args.gc_freeze:
        # What the server's lifespan does once at start-up (ASGITransport runs no lifespan):
        # everything loaded so far out of the collector's sight, and its thresholds; code
        # from before settle_garbage_collector only froze.
        gc.collect()
        settle = getattr(app_main, "settle_garbage_collector", gc.freeze)
        settle()
    cases: list[CaseResult] = []
    skipped: list[str] = []
    profile: str | None = None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=None) as c:
        harness = Harness(
            engine=engine,
            client=c,
            app_cache=app.state.result_cache,
            session_factory=app.state.session_factory,
            recorder=recorder,
            cold_samples=args.cold_samples,
            warm_samples=args.warm_samples,
            cold_budget_s=args.cold_budget,
        )
        ready = await c.get("/readyz")
        if ready.status_code != 200:
            # Migrations may land while a run is under way; the figures are still meaningful.
            print(f"  warning: /readyz → {ready.status_code}: {ready.text[:200]}", flush=True)
        wanted = args.groups or MEASURED_GROUPS
        groups = [g for g in (dataset.group(code) for code in wanted) if g is not None]
        available: list[Case] = []
        for case in CASES:
            if args.cases and case.label not in args.cases:
                continue
            probe_group = groups[0]
            path = fill(case.path, dataset, probe_group)
            ok, why = await route_exists(harness, path)
            if ok:
                available.append(case)
            elif case.optional:
                skipped.append(f"{case.label} ({case.path}): {why}")
            else:
                raise RuntimeError(f"GET {path}: {why}")
        for group in groups:
            for case in available:
                path = fill(case.path, dataset, group)
                started = time.perf_counter()
                cold, rec = await harness.cold(path)
                result = CaseResult(
                    case.label,
                    group.code,
                    cold,
                    Timing(),
                    sql_top=rec.top(3),
                    sql_seconds=rec.seconds,
                )
                result.warm = await harness.warm(path)
                if case.label.startswith("ranking"):
                    criterion = dataset.criterion_field if "criterion" in case.path else None
                    result.app_warm = await harness.app_warm(group.code, criterion)
                    if criterion is None:
                        try:
                            result.split = await harness.app_cold_split(
                                group.code,
                                args.split_samples,
                                previous_year=dataset.scale.years > 1,
                            )
                        except (AttributeError, TypeError) as exc:  # internal API moved
                            skipped.append(f"app-only cold split: {exc}")
                cases.append(result)
                print(
                    f"  {name:10} {group.code:12} {case.label:20} cold p50 {cold.p50:9.2f} ms "
                    f"({len(cold.samples_ns)}×)  warm p50 {result.warm.p50:8.3f} ms  "
                    f"[{time.perf_counter() - started:5.1f} s]",
                    flush=True,
                )
        revision_check = await harness.revision_check()
        if args.profile and groups and available:
            profiled = available[0]
            profile = await profile_cold(harness, fill(profiled.path, dataset, groups[-1]))
    await engine.dispose()
    return DbReport(name, LoadReport(0, 0, 0), cases, skipped, profile, revision_check)


def fill(template: str, dataset: Dataset, group: GroupPlan) -> str:
    return template.format(
        year=MEASURE_YEAR,
        group=group.code,
        unit=dataset.unit_code(group.first_unit_id),
        criterion=dataset.criterion_field,
    )


async def profile_cold(harness: Harness, path: str) -> str:
    """cProfile of one cold request (the first measured case, largest measured group)."""
    await harness.write()
    profiler = cProfile.Profile()
    profiler.enable()
    await harness.timed(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    out.write("\n  by cumulative time, app code only:\n")
    stats.sort_stats("cumulative").print_stats(r"/app/", 18)
    return f"GET {path} (cold)\n" + "\n".join(
        line for line in out.getvalue().splitlines() if line.strip()
    )


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def app_settings_note() -> str:
    settings = bench_settings("sqlite://")
    cache = getattr(settings, "cache", None)
    note = (
        ", ".join(f"{key}={value}" for key, value in cache.model_dump().items())
        if cache is not None
        else "revision read on every request"
    )
    overridden = [key for key in APP_OVERRIDES if hasattr(settings, key)]
    return f"result cache {note}" + (
        f"; overridden: {', '.join(f'{k}={APP_OVERRIDES[k]}' for k in overridden)}"
        if overridden
        else ""
    )


def print_header(scale: Scale, dataset: Dataset, pg_version: str) -> None:
    groups = ", ".join(f"{g.code}={g.size}" for g in dataset.groups if g.size > SMALL_GROUP_SIZE)
    small = [g for g in dataset.groups if g.size <= SMALL_GROUP_SIZE]
    print("PAR Index rankings benchmark (bench/rankings.py)")
    print(f"  date      {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  command   {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"  scale     {scale.units} units × {scale.years} years "
        f"({scale.year_list[0]}–{scale.year_list[-1]}) × {scale.leaves} leaves "
        f"= {dataset.leaf_rows:,} leaf scores; seed {scale.seed}"
    )
    print(f"  code      {source_state()}")
    print(f"  settings  {app_settings_note()}")
    print(f"  groups    {groups}" + (f", {len(small)} small groups of ≤ 50" if small else ""))
    print(f"  machine   {machine()}")
    print(
        f"  software  Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {pg_version}, httpx {httpx.__version__}"
    )


def print_report(report: DbReport) -> None:
    load = report.load
    print()
    print(f"## {report.name}")
    if load.leaf_rows:
        print(
            f"load: {load.leaf_rows:,} leaf scores in {load.seconds:.1f} s "
            f"({load.rate:,.0f} rows/s); database size {load.size_bytes / 2**20:,.0f} MiB"
        )
    else:
        print("load: none (a database kept by an earlier run, --reuse)")
    print()
    print(
        "| endpoint | group | cold p50 | cold p99 | warm p50 | warm p99 | cold/warm "
        "| app warm p50 | SQL cold | GC cold | n cold/warm |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case in report.cases:
        app = f"{case.app_warm.p50:.3f}" if case.app_warm else "–"
        print(
            f"| {case.endpoint} | {case.group} | {case.cold.p50:.1f} | {case.cold.p99:.1f} "
            f"| {case.warm.p50:.2f} | {case.warm.p99:.2f} | {case.cold.p50 / case.warm.p50:,.0f}× "
            f"| {app} | {case.cold.statements} "
            f"| {case.cold.gc_ms_per_sample:.0f} ({case.cold.gc_full}) "
            f"| {len(case.cold.samples_ns)}/"
            f"{len(case.warm.samples_ns)} |"
        )
    print(
        "(ms; SQL cold = statements run by one cold request; app warm = RankingService."
        "ranking_json in a fresh session with the app's cache, no HTTP; GC cold = mean ms "
        "per cold request in the garbage collector (full collections over all cold samples))"
    )
    if report.revision_check:
        check = report.revision_check
        print(
            f"revision check alone (session + SELECT data_revision): p50 {check.p50:.3f} ms, "
            f"p99 {check.p99:.3f} ms — the floor under every warm answer"
        )
    for note in report.skipped:
        print(f"skipped: {note}")

    print()
    print("cost vs group size (cold p50, ms; per unit in brackets):")
    by_endpoint: dict[str, list[CaseResult]] = {}
    for case in report.cases:
        by_endpoint.setdefault(case.endpoint, []).append(case)
    for endpoint, results in by_endpoint.items():
        parts = []
        for case in results:
            size = int(case.group.removeprefix("bench-g"))
            parts.append(
                f"{case.group.removeprefix('bench-')} {case.cold.p50:.1f} "
                f"[{case.cold.p50 / size:.3f}]"
            )
        first, last = results[0], results[-1]
        growth = last.cold.p50 / first.cold.p50 if first.cold.p50 else 0.0
        sizes = int(last.group.removeprefix("bench-g")) / int(first.group.removeprefix("bench-g"))
        print(f"  {endpoint:20} " + " → ".join(parts) + f"   ×{growth:.1f} for ×{sizes:.1f} units")

    print()
    print("cold ranking without HTTP (p50 ms): the 2020 + 2019 snapshots vs the whole ranking_json")
    for case in report.cases:
        if case.split is None:
            continue
        snapshots, whole = case.split
        print(
            f"  {case.group:12} snapshots {snapshots.p50:8.1f}   ranking_json {whole.p50:8.1f}"
            f"   rest (entries, previous-year lookups, JSON) {whole.p50 - snapshots.p50:8.1f}"
            f"   [{len(whole.samples_ns)}×]"
        )

    print()
    print(
        "where a cold request's time goes (time inside cursor.execute of the last cold sample; "
        "fetching rows and driver round trips outside execute are not counted):"
    )
    for case in report.cases:
        if case.endpoint != "ranking":
            continue
        total = case.cold.samples_ns[-1] / 1e9
        print(
            f"  {case.endpoint} {case.group}: {case.cold.statements} statements, "
            f"{case.sql_seconds * 1000:.0f} ms in execute of {total * 1000:.0f} ms"
        )
        for shape, count, seconds in case.sql_top:
            print(f"    {count:5}× {seconds * 1000:7.1f} ms  {shape[:110]}")
    if report.profile:
        print()
        print("profile of one cold request:")
        print(report.profile)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def sqlite_path() -> Path:
    return OUT_DIR / f"rankings-{os.getpid()}.sqlite3"


def remove_sqlite_files() -> None:
    path = sqlite_path()
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


async def run_database(name: str, dataset: Dataset, args: argparse.Namespace) -> DbReport | None:
    if name == "sqlite":
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        path = sqlite_path()
        remove_sqlite_files()
        url = f"sqlite:///{path}"
        try:
            print(f"\n[sqlite] loading into {path.relative_to(BENCH_DIR.parent)} …", flush=True)
            load = await load_sqlite(dataset, url)
            print(f"  loaded in {load.seconds:.1f} s ({load.rate:,.0f} leaf rows/s)", flush=True)
            report = await measure("SQLite", url, dataset, args)
        finally:
            if not args.keep:
                remove_sqlite_files()
        report.load = load
        return report

    if args.reuse:
        print(f"\n[postgres] measuring the kept database {args.reuse} …", flush=True)
        return await measure("PostgreSQL", pg_url(args.reuse), dataset, args)
    database = f"par_index_bench_{os.getpid()}"
    try:
        await pg_admin(f'CREATE DATABASE "{database}"')
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"\n[postgres] skipped: cannot create {database} ({exc})")
        return None
    try:
        print(f"\n[postgres] loading into {database} …", flush=True)
        load = await load_postgres(dataset, pg_url(database))
        print(f"  loaded in {load.seconds:.1f} s ({load.rate:,.0f} leaf rows/s)", flush=True)
        report = await measure("PostgreSQL", pg_url(database), dataset, args)
    finally:
        if args.keep:
            print(f"  kept database {database} (--keep); drop it yourself")
        else:
            await pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    report.load = load
    return report


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--units", type=int, help=f"units (default {FULL['units']})")
    parser.add_argument("--years", type=int, help=f"years ending {LAST_YEAR} (default 10)")
    parser.add_argument("--leaves", type=int, help="leaves per criteria tree (default 100)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke-run scale: {QUICK['units']} units × {QUICK['years']} years × "
        f"{QUICK['leaves']} leaves, fewer samples",
    )
    parser.add_argument("--seed", type=int, default=20201231)
    parser.add_argument("--cold-samples", type=int, help="cold samples per case (default 15)")
    parser.add_argument("--warm-samples", type=int, help="warm samples per case (default 200)")
    parser.add_argument(
        "--cold-budget",
        type=float,
        default=15.0,
        help="stop cold sampling of a case after this many seconds (at least 5 samples)",
    )
    parser.add_argument(
        "--split-samples", type=int, default=5, help="samples of the app-only cold split"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one cold request")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="after start-up, before measuring: what the server's lifespan does "
        "(gc.freeze() and the collector's thresholds, app.main.settle_garbage_collector)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file / PG database")
    parser.add_argument(
        "--reuse",
        metavar="DATABASE",
        help="measure a PostgreSQL database kept by an earlier --keep run of the same scale "
        "and seed instead of loading a new one (implies --db postgres; it is not dropped)",
    )
    parser.add_argument(
        "--groups",
        type=lambda text: tuple(text.split(",")),
        help=f"comma-separated groups to measure (default {','.join(MEASURED_GROUPS)})",
    )
    parser.add_argument(
        "--cases",
        type=lambda text: tuple(text.split(",")),
        help="comma-separated case labels to measure (default: all), e.g. 'unit breakdown'",
    )
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.cold_samples is None:
        args.cold_samples = 5 if args.quick else 15
    if args.warm_samples is None:
        args.warm_samples = 50 if args.quick else 200
    if args.reuse:
        args.db = "postgres"
    if not 1 <= args.years <= LAST_YEAR - 2000:
        parser.error("--years must be between 1 and 20 (years end in 2020)")
    if args.leaves < 1 or args.units < 1:
        parser.error("--units and --leaves must be positive")
    return args


async def main_async(args: argparse.Namespace) -> None:
    scale = Scale(units=args.units, years=args.years, leaves=args.leaves, seed=args.seed)
    dataset = build_dataset(scale)
    print_header(scale, dataset, await pg_server_version())
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    failed = False
    for name in databases:
        try:
            report = await run_database(name, dataset, args)
        except Exception:  # report and go on to the next database
            traceback.print_exc()
            print(f"\n[{name}] failed: see the traceback on stderr", flush=True)
            failed = True
            continue
        if report is not None:
            print_report(report)
    if not args.keep:
        remove_sqlite_files()  # again: nothing of this run may linger in bench/out
    if failed:
        sys.exit(1)


def main() -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows up when redirected
    asyncio.run(main_async(parse_args()))


if __name__ == "__main__":
    main()
