"""Imports benchmark: the real scores import (ImportService) against a raw write of the same rows.

Run from the project root:

    .venv/bin/python bench/imports.py                  # full scale: 100k and 1M leaf scores
    .venv/bin/python bench/imports.py --quick --db sqlite

Set-up (not measured): a freshly migrated SQLite file and a throw-away PostgreSQL database,
each holding one draft year, one unit group, a 100-leaf criteria tree and 10,000 units, loaded
directly; deterministic import files (CSV long layout, XLSX wide layout) of 100,000 and
1,000,000 leaf scores, an original and a changed version of each.

Measured: `ImportService.import_file` called as `par-index import scores` calls it, in a child
process per import (so its peak RSS is its own), into units without scores (fresh) and again
over them with changed values (replace); beside each, the same rows written straight into
leaf_score (SQLite executemany, PostgreSQL COPY) in one transaction. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import gc
import getpass
import inspect
import io
import json
import logging
import os
import platform
import pstats
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import asyncpg  # type: ignore[import-untyped]
import openpyxl
import sqlalchemy
from bulk_tables import BANDS, TABLE_COLUMNS
from openpyxl.workbook import Workbook
from pydantic import SecretStr
from run_context import machine, source_state
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from throwaway_pg import PG_HOST, PG_PORT, PG_USER, pg_admin, pg_server_version, pg_url

from app.core.config import DatabaseSettings, Settings
from app.core.db import create_engine, create_session_factory
from app.core.migrations import upgrade_connection
from app.models import Base
from app.services.registry.units import search_text

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"

YEAR = 2026  # a draft year: imports land there while officials collect the scores
GROUP = "ibench"
FIELDS = 10
LEAVES_PER_FIELD = 10
LEAVES = FIELDS * LEAVES_PER_FIELD
FULL_SIZES = (100_000, 1_000_000)
QUICK_SIZES = (10_000,)
FORMATS = ("csv", "xlsx")
VARIANTS = ("original", "changed")
RAW_CHUNK = 10_000  # rows per executemany call on SQLite (the importer's STAGE_ROWS)
NOTE_SHARE = 0.03  # rows of the CSV carrying a note
# XLSX at the largest size is skipped when the smaller size predicts more than this.
XLSX_WRITE_BUDGET_S = 120.0
XLSX_IMPORT_BUDGET_S = 150.0
CHILD_TIMEOUT_S = 900
RESULT_PREFIX = "IMPORT-BENCH-RESULT "
SCORE_COLUMNS = ("unit_id", "criterion_id", "self_score", "final_score", "note")

# Scores are whole cents of a 1-point leaf: 0.00 … 1.00.
CENTS = tuple(Decimal(c).scaleb(-2) for c in range(101))
CENT_TEXT = tuple(str(value) for value in CENTS)
CENT_FLOAT = tuple(c / 100 for c in range(101))

SERIAL_TABLES = ("unit_group", "org_unit", "criteria_set", "criterion", "band")

Row = tuple[Any, ...]


# --------------------------------------------------------------------------------------------
# The data set and the files
# --------------------------------------------------------------------------------------------


def unit_code(unit_id: int) -> str:
    return f"IB-{unit_id:06d}"


def leaf_codes() -> list[str]:
    return [f"{f}.{leaf}" for f in range(1, FIELDS + 1) for leaf in range(1, LEAVES_PER_FIELD + 1)]


@dataclass(frozen=True)
class Setup:
    """The rows loaded directly: one group, `units` units, one draft year, one criteria set."""

    units: int
    static: dict[str, list[Row]]
    leaf_ids: tuple[int, ...]  # in tree order, matching leaf_codes()


def build_setup(units: int) -> Setup:
    unit_rows: list[Row] = []
    for uid in range(1, units + 1):
        code = unit_code(uid)
        name_vi = f"Đơn vị nhập liệu thử số {uid}"
        name_en = f"Import benchmark unit no. {uid}"
        unit_rows.append(
            (
                uid,
                code,
                name_vi,
                name_en,
                1,
                None,
                None,
                None,
                search_text(code=code, name_vi=name_vi, name_en=name_en),
            )
        )
    criterion_rows: list[Row] = []
    leaf_ids: list[int] = []
    criterion_id = order = 0
    for field_no in range(1, FIELDS + 1):
        criterion_id += 1
        order += 1
        field_id = criterion_id
        criterion_rows.append(
            (
                field_id,
                1,
                None,
                str(field_no),
                f"Lĩnh vực {field_no}",
                f"Field {field_no}",
                Decimal(LEAVES_PER_FIELD),
                None,
                order,
            )
        )
        for leaf_no in range(1, LEAVES_PER_FIELD + 1):
            criterion_id += 1
            order += 1
            method = "survey" if leaf_no == LEAVES_PER_FIELD else "appraisal"
            criterion_rows.append(
                (
                    criterion_id,
                    1,
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
    return Setup(
        units=units,
        static={
            "unit_group": [(1, GROUP, "Nhóm thử nhập liệu", "Import benchmark group", 990)],
            "org_unit": unit_rows,
            "assessment_year": [
                (
                    YEAR,
                    "draft",
                    None,
                    date(YEAR, 12, 31),  # the default cut-off of a year's units
                    None,
                    "benchmark data (bench/imports.py)",
                    None,
                )
            ],
            "criteria_set": [(1, YEAR, 1, Decimal(LEAVES))],
            "criterion": criterion_rows,
            "band": [(n, 1, vi, en, low) for n, (vi, en, low) in enumerate(BANDS, start=1)],
        },
        leaf_ids=tuple(leaf_ids),
    )


# (unit id, leaf position, self cents, final cents, note)
Score = tuple[int, int, int, int, str | None]


def scores(size: int, variant: str, seed: int) -> Iterator[Score]:
    """The leaf scores of a file, unit by unit in tree order; the same on every call.

    A smaller size is a prefix of a larger one. The `changed` variant draws every score anew,
    so nearly every (unit, leaf) differs from `original` and every unit is rewritten.
    """
    rng = random.Random(f"{seed}:{variant}")
    for uid in range(1, size // LEAVES + 1):
        ability = 0.45 + 0.5 * ((uid * 7919) % 1000) / 1000
        for leaf in range(LEAVES):
            final = min(100, max(0, int(100 * (ability + (rng.random() - 0.5) * 0.6))))
            own = min(100, final + int(rng.random() * 12))
            note = None
            if rng.random() < NOTE_SHARE:
                note = f"Minh chứng bổ sung số {uid}-{leaf}: văn bản {rng.randrange(1, 999)}/UBND"
            yield uid, leaf, own, final, note


@dataclass(frozen=True)
class Totals:
    """What leaf_score must hold after writing a file: count, sums, notes."""

    rows: int
    final_sum: Decimal
    self_sum: Decimal
    notes: int


def expected_totals(size: int, variant: str, seed: int, fmt: str) -> Totals:
    final = own = notes = rows = 0
    for _uid, _leaf, own_cents, final_cents, note in scores(size, variant, seed):
        rows += 1
        final += final_cents
        if fmt == "csv":  # the wide XLSX layout holds final scores only
            own += own_cents
            notes += note is not None
    return Totals(rows, Decimal(final).scaleb(-2), Decimal(own).scaleb(-2), notes)


def raw_records(
    size: int, variant: str, seed: int, fmt: str, leaf_ids: Sequence[int], *, floats: bool
) -> list[Row]:
    """The rows a file stands for, as leaf_score records (floats: how SQLAlchemy binds
    Numeric on SQLite; Decimals: how the importer sends them to PostgreSQL)."""
    values: Sequence[Any] = CENT_FLOAT if floats else CENTS
    if fmt == "csv":
        return [
            (uid, leaf_ids[leaf], values[own], values[final], note)
            for uid, leaf, own, final, note in scores(size, variant, seed)
        ]
    return [
        (uid, leaf_ids[leaf], None, values[final], None)
        for uid, leaf, _own, final, _note in scores(size, variant, seed)
    ]


def write_csv(path: Path, size: int, variant: str, seed: int) -> None:
    codes = leaf_codes()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("unit_code", "criterion_code", "self_score", "final_score", "note"))
        writer.writerows(
            (unit_code(uid), codes[leaf], CENT_TEXT[own], CENT_TEXT[final], note or "")
            for uid, leaf, own, final, note in scores(size, variant, seed)
        )


def write_xlsx(path: Path, size: int, variant: str, seed: int) -> None:
    """The wide layout the importer reads: a sheet named by the group, `unit_code` then the
    leaf codes, one row of final scores (numbers) per unit."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(GROUP)
    sheet.append(["unit_code", *leaf_codes()])
    row: list[Any] = []
    current = 0
    for uid, _leaf, _own, final, _note in scores(size, variant, seed):
        if uid != current:
            if row:
                sheet.append(row)
            row = [unit_code(uid)]
            current = uid
        row.append(CENT_FLOAT[final])
    if row:
        sheet.append(row)
    workbook.save(path)


@dataclass(frozen=True)
class ImportFile:
    fmt: str
    size: int
    variant: str
    path: Path
    bytes: int
    write_seconds: float


def files_dir() -> Path:
    return OUT_DIR / f"imports-{os.getpid()}-files"


def generate_files(
    sizes: Sequence[int], formats: Sequence[str], seed: int, notes: list[str]
) -> dict[tuple[str, int, str], ImportFile]:
    directory = files_dir()
    directory.mkdir(parents=True, exist_ok=True)
    made: dict[tuple[str, int, str], ImportFile] = {}
    writers: dict[str, Callable[[Path, int, str, int], None]] = {
        "csv": write_csv,
        "xlsx": write_xlsx,
    }
    for fmt in formats:
        previous: tuple[int, float] | None = None
        for size in sizes:
            if fmt == "xlsx" and previous is not None:
                small, seconds = previous
                estimate = seconds * size / small
                if estimate > XLSX_WRITE_BUDGET_S:
                    notes.append(
                        f"xlsx {size:,}: skipped, writing it would take ~{estimate:.0f} s "
                        f"(from {small:,} rows in {seconds:.1f} s)"
                    )
                    continue
            spent = 0.0
            for variant in VARIANTS:
                path = directory / f"scores-{size}-{variant}.{fmt}"
                started = time.perf_counter()
                writers[fmt](path, size, variant, seed)
                seconds = time.perf_counter() - started
                spent += seconds
                made[fmt, size, variant] = ImportFile(
                    fmt, size, variant, path, path.stat().st_size, seconds
                )
                print(
                    f"  wrote {path.relative_to(ROOT)}: {path.stat().st_size / 2**20:,.1f} MiB "
                    f"in {seconds:.1f} s",
                    flush=True,
                )
            previous = (size, spent)
    return made


# --------------------------------------------------------------------------------------------
# Databases: create, migrate, load the set-up, raw writes, drop
# --------------------------------------------------------------------------------------------


def bench_settings(url: str) -> Settings:
    return Settings(database=DatabaseSettings(url=SecretStr(url)), database_url=None)


async def migrate(engine: AsyncEngine) -> None:
    logging.disable(logging.INFO)  # Alembic logs each step at INFO
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
    finally:
        logging.disable(logging.NOTSET)
        logging.getLogger("alembic").setLevel(logging.WARNING)


class Target:
    """A database under test: set-up, raw writes of leaf_score rows, checks."""

    name = ""
    label = ""
    raw_how = ""
    url = ""
    floats = False

    async def load(self, setup: Setup) -> float:
        raise NotImplementedError

    async def empty(self) -> None:
        """Delete every leaf score (not measured)."""
        raise NotImplementedError

    async def analyze(self) -> None:
        """Refresh planner statistics after a bulk write (what autovacuum would do)."""

    async def raw_insert(self, records: Sequence[Row]) -> float:
        raise NotImplementedError

    async def raw_replace(self, units: int, records: Sequence[Row]) -> float:
        raise NotImplementedError

    async def totals(self) -> tuple[int, Decimal, Decimal, int]:
        raise NotImplementedError

    async def describe(self) -> str:
        raise NotImplementedError

    async def close(self) -> None:
        """Drop or delete the database."""


class SqliteTarget(Target):
    name = "sqlite"
    label = "SQLite"
    raw_how = (
        "sqlite3 executemany of INSERT INTO leaf_score in 10,000-row chunks, one transaction, "
        "foreign_keys=ON (floats, as SQLAlchemy binds Numeric on SQLite)"
    )
    floats = True

    def __init__(self, keep: bool) -> None:
        self.path = OUT_DIR / f"imports-{os.getpid()}.sqlite3"
        self.url = f"sqlite:///{self.path}"
        self.keep = keep
        self.remove()

    def remove(self) -> None:
        for leftover in (self.path, self.path.with_name(self.path.name + "-journal")):
            leftover.unlink(missing_ok=True)

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=5000")
        return connection

    async def load(self, setup: Setup) -> float:
        engine = create_engine(bench_settings(self.url))
        try:
            await migrate(engine)
            started = time.perf_counter()
            async with engine.begin() as connection:
                for table, rows in setup.static.items():
                    columns = TABLE_COLUMNS[table]
                    await connection.execute(
                        insert(Base.metadata.tables[table]),
                        [dict(zip(columns, row, strict=True)) for row in rows],
                    )
            return time.perf_counter() - started
        finally:
            await engine.dispose()

    async def empty(self) -> None:
        connection = self.connect()
        try:
            connection.execute("DELETE FROM leaf_score")
        finally:
            connection.close()

    async def raw_insert(self, records: Sequence[Row]) -> float:
        return self._write(None, records)

    async def raw_replace(self, units: int, records: Sequence[Row]) -> float:
        return self._write(units, records)

    def _write(self, delete_units: int | None, records: Sequence[Row]) -> float:
        statement = f"INSERT INTO leaf_score ({', '.join(SCORE_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
        connection = self.connect()
        try:
            started = time.perf_counter()
            connection.execute("BEGIN")
            if delete_units is not None:
                connection.execute(
                    "DELETE FROM leaf_score WHERE unit_id BETWEEN 1 AND ?", (delete_units,)
                )
            for start in range(0, len(records), RAW_CHUNK):
                connection.executemany(statement, records[start : start + RAW_CHUNK])
            connection.execute("COMMIT")
            return time.perf_counter() - started
        finally:
            connection.close()

    async def totals(self) -> tuple[int, Decimal, Decimal, int]:
        connection = self.connect()
        try:
            count, final, own, notes = connection.execute(
                "SELECT count(*), coalesce(sum(final_score), 0), coalesce(sum(self_score), 0), "
                "count(note) FROM leaf_score"
            ).fetchone()
        finally:
            connection.close()
        as_cents = (Decimal(repr(float(v))).quantize(Decimal("0.01")) for v in (final, own))
        return int(count), *as_cents, int(notes)  # type: ignore[return-value]

    async def describe(self) -> str:
        connection = self.connect()
        try:
            rows = connection.execute(
                "SELECT type, name FROM sqlite_master WHERE tbl_name = 'leaf_score' "
                "AND type = 'index'"
            ).fetchall()
            fks = connection.execute("PRAGMA foreign_key_list(leaf_score)").fetchall()
        finally:
            connection.close()
        return (
            f"leaf_score: {len(rows)} indexes besides the rowid ({', '.join(r[1] for r in rows)}), "
            f"{len(fks)} foreign keys enforced, 2 CHECKs; journal_mode=delete, synchronous=full"
        )

    async def close(self) -> None:
        if not self.keep:
            self.remove()


class PostgresTarget(Target):
    name = "postgres"
    label = "PostgreSQL"
    raw_how = "asyncpg copy_records_to_table('leaf_score', …) in one transaction (Decimals)"

    def __init__(self, keep: bool) -> None:
        self.database = f"par_index_ibench_{os.getpid()}"
        self.url = pg_url(self.database)
        self.keep = keep
        self.created = False

    async def create(self) -> None:
        await pg_admin(f'CREATE DATABASE "{self.database}"')
        self.created = True

    async def connect(self) -> Any:
        return await asyncpg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, database=self.database
        )

    async def load(self, setup: Setup) -> float:
        engine = create_engine(bench_settings(self.url))
        try:
            await migrate(engine)
        finally:
            await engine.dispose()
        started = time.perf_counter()
        pg = await self.connect()
        try:
            async with pg.transaction():
                for table, rows in setup.static.items():
                    await pg.copy_records_to_table(
                        table, records=rows, columns=list(TABLE_COLUMNS[table])
                    )
                for table in SERIAL_TABLES:
                    await pg.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                # Background vacuum/analyze would land at random points of the runs; the
                # script analyzes explicitly where autovacuum would have (after bulk writes).
                await pg.execute("ALTER TABLE leaf_score SET (autovacuum_enabled = off)")
            await pg.execute("VACUUM ANALYZE")
        finally:
            await pg.close()
        return time.perf_counter() - started

    async def empty(self) -> None:
        pg = await self.connect()
        try:
            await pg.execute("TRUNCATE leaf_score")
        finally:
            await pg.close()

    async def analyze(self) -> None:
        pg = await self.connect()
        try:
            await pg.execute("ANALYZE leaf_score")
        finally:
            await pg.close()

    async def raw_insert(self, records: Sequence[Row]) -> float:
        return await self._write(None, records)

    async def raw_replace(self, units: int, records: Sequence[Row]) -> float:
        return await self._write(units, records)

    async def _write(self, delete_units: int | None, records: Sequence[Row]) -> float:
        pg = await self.connect()
        try:
            started = time.perf_counter()
            async with pg.transaction():
                if delete_units is not None:
                    await pg.execute(
                        "DELETE FROM leaf_score WHERE unit_id BETWEEN 1 AND $1", delete_units
                    )
                await pg.copy_records_to_table(
                    "leaf_score", records=records, columns=list(SCORE_COLUMNS)
                )
            return time.perf_counter() - started
        finally:
            await pg.close()

    async def totals(self) -> tuple[int, Decimal, Decimal, int]:
        pg = await self.connect()
        try:
            row = await pg.fetchrow(
                "SELECT count(*), coalesce(sum(final_score), 0), coalesce(sum(self_score), 0), "
                "count(note) FROM leaf_score"
            )
        finally:
            await pg.close()
        return int(row[0]), Decimal(row[1]), Decimal(row[2]), int(row[3])

    async def describe(self) -> str:
        pg = await self.connect()
        try:
            indexes = await pg.fetch(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'leaf_score' ORDER BY 1"
            )
            constraints = await pg.fetch(
                "SELECT contype, count(*) FROM pg_constraint "
                "WHERE conrelid = 'leaf_score'::regclass GROUP BY 1 ORDER BY 1"
            )
        finally:
            await pg.close()
        kinds = {"c": "CHECK", "f": "FOREIGN KEY", "p": "PRIMARY KEY", "u": "UNIQUE"}
        parts = ", ".join(
            f"{n} {kinds.get(k.decode() if isinstance(k, bytes) else k, k)}" for k, n in constraints
        )
        return (
            f"leaf_score: {len(indexes)} indexes ({', '.join(r[0] for r in indexes)}); {parts}; "
            "autovacuum off for leaf_score (ANALYZE run explicitly after bulk writes)"
        )

    async def close(self) -> None:
        if not self.created:
            return
        if self.keep:
            print(f"  kept database {self.database} (--keep); drop it yourself")
            return
        await pg_admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


# --------------------------------------------------------------------------------------------
# The measured import, in a child process
# --------------------------------------------------------------------------------------------


@dataclass
class ImportRun:
    seconds: float
    rows: int
    outcome: str
    counts: dict[str, int]
    rss_before_kib: int
    rss_peak_kib: int
    phases: dict[str, float]
    gc_seconds: float
    gc_full: int
    profile: str | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def rss_growth_mib(self) -> float:
        return (self.rss_peak_kib - self.rss_before_kib) / 1024


PHASES = (
    "hash+detect",
    "lookups",
    "read+check",
    "stage",
    "repeats",
    "diff",
    "delete",
    "insert",
    "record+commit",
    "other",
)


class PhaseClock:
    """Wall time of the importer's steps, by wrapping the functions it calls (in this child
    process only; the app's code is not changed)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        spans = self.spans
        if inspect.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    spans.append((label, started, time.perf_counter()))

            setattr(owner, name, timed_async)
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spans.append((label, started, time.perf_counter()))

        setattr(owner, name, timed)

    def split(self, started: float, ended: float) -> dict[str, float]:
        phases = dict.fromkeys(PHASES, 0.0)
        last: dict[str, tuple[float, float]] = {}
        for label, start, end in self.spans:
            phases[label] += end - start
            last[label] = (start, end)
        if self.spans:
            phases["record+commit"] = ended - max(end for _label, _start, end in self.spans)
        phases["other"] = (ended - started) - sum(phases.values())
        return phases


def proc_status_kib(name: str) -> int | None:
    """A `Vm…` figure of this process from /proc/self/status (KiB), None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> int:
    """Start a new peak-RSS window; the RSS now (KiB).

    ru_maxrss is no use here: Linux carries the parent's high-water mark over the child's
    exec (vfork), so a child started by a big parent would report the parent's peak. VmHWM is
    this process's own and is reset by writing 5 to /proc/self/clear_refs.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return proc_status_kib("VmRSS") or 0


def peak_rss_kib() -> int:
    peak = proc_status_kib("VmHWM")
    if peak is None:
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
    return peak


async def child_import(spec: dict[str, Any], file: IO[bytes], path: Path) -> dict[str, Any]:
    """One import exactly as `par-index import scores FILE --year Y` runs it (app/cli.py)."""
    from app.cli import PROGRESS_FROM_BYTES, progress_bar
    from app.core.result_cache import ResultCache
    from app.repositories.imports import ImportRepository
    from app.repositories.score_staging import ScoreStagingRepository
    from app.schemas.imports import ImportKind, ImportOptions
    from app.services.imports import scores as score_import
    from app.services.imports import service as importing
    from app.services.imports.service import ImportService, ImportSource

    clock = PhaseClock()
    clock.wrap(importing, "inspect_file", "hash+detect")
    # Runs in the worker thread, once per chunk of STAGE_ROWS rows.
    clock.wrap(score_import, "next_chunk", "read+check")
    for method in ("list_units", "list_groups", "criteria_of_year"):
        clock.wrap(ImportRepository, method, "lookups")
    for method in ("create", "add"):
        clock.wrap(ScoreStagingRepository, method, "stage")
    for method in ("count_conflicts", "conflicts", "merge_repeats"):
        clock.wrap(ScoreStagingRepository, method, "repeats")
    for method in ("keep_stored_fields", "stored_totals", "unit_totals", "changes", "removals"):
        clock.wrap(ScoreStagingRepository, method, "diff")
    clock.wrap(ImportRepository, "delete_scores", "delete")
    clock.wrap(ScoreStagingRepository, "insert_scores", "insert")

    profiler = cProfile.Profile() if spec.get("profile") else None
    if profiler is not None:
        # cProfile sees one thread only: run the importer's worker-thread steps inline.
        async def inline(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        asyncio.to_thread = inline

    settings = bench_settings(spec["url"])
    engine = create_engine(settings)
    size = spec["file_bytes"]
    progress = progress_bar(size) if size >= PROGRESS_FROM_BYTES else None
    options = ImportOptions(
        kind=ImportKind.SCORES, dry_run=False, missing_leaves=settings.imports.missing_leaves
    )
    gc_clock = GcClock()
    try:
        async with engine.connect():  # the pool's connection exists before the clock starts
            pass
        gc.collect()
        rss_before = reset_peak_rss()
        async with create_session_factory(engine)() as session:
            gc_clock.start()
            if profiler is not None:
                profiler.enable()
            started = time.perf_counter()
            report = await ImportService(session, ResultCache()).import_file(
                year=spec["year"],
                source=ImportSource(file, path.name),
                options=options,
                actor=f"cli:{getpass.getuser()}",
                progress=progress,
            )
            ended = time.perf_counter()
            if profiler is not None:
                profiler.disable()
            gc_clock.stop()
        rss_peak = peak_rss_kib()
    finally:
        await engine.dispose()
    profile_text = None
    if profiler is not None:
        profile_text = profile_summary(profiler)
    return {
        "seconds": ended - started,
        "rows": report.counts.get("rows", 0),
        "outcome": report.outcome.value,
        "counts": report.counts,
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
        "phases": clock.split(started, ended),
        "gc_seconds": gc_clock.seconds,
        "gc_full": gc_clock.full,
        "profile": profile_text,
    }


class GcClock:
    """Time in the cyclic garbage collector while running, and full (gen 2) collections."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0
        self._running = False

    def start(self) -> None:
        self._running = True
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        self._running = False
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        if info["generation"] == 2:
            self.full += 1


def profile_summary(profiler: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    out.write(f"total {total:.2f} s profiled (cProfile inflates the run)\n")
    stats.sort_stats("tottime").print_stats(22)
    out.write("\n  by cumulative time, app code only:\n")
    stats.sort_stats("cumulative").print_stats(r"/app/", 22)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines() if line.strip())


def run_child(spec: dict[str, Any]) -> ImportRun:
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-import", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line.removeprefix(RESULT_PREFIX))
            return ImportRun(**data)
    tail = "\n".join((completed.stderr or completed.stdout).splitlines()[-25:])
    raise RuntimeError(f"import child failed (exit {completed.returncode}):\n{tail}")


def child_main(raw_spec: str) -> None:
    spec = json.loads(raw_spec)
    path = Path(spec["file"])
    spec["file_bytes"] = path.stat().st_size
    with path.open("rb") as file:  # as the CLI does: the file stays on disk, read as a stream
        result = asyncio.run(child_import(spec, file, path))
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    fmt: str
    size: int
    case: str  # "fresh" or "replace"
    file: ImportFile
    run: ImportRun | None
    raw_seconds: float  # the same work done raw: insert (fresh) or delete + insert (replace)
    raw_insert_seconds: float
    check: str

    @property
    def raw_rate(self) -> float:
        return self.size / self.raw_seconds

    @property
    def raw_insert_rate(self) -> float:
        return self.size / self.raw_insert_seconds


@dataclass
class DbReport:
    target: Target
    load_seconds: float
    description: str
    measurements: list[Measurement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile: str | None = None
    profile_what: str = ""


async def check_totals(target: Target, expected: Totals) -> str:
    count, final, own, notes = await target.totals()
    got = Totals(count, final, own, notes)
    if got == expected:
        return "ok"
    return f"MISMATCH: stored {got}, expected {expected}"


async def measure_block(
    target: Target,
    setup: Setup,
    fmt: str,
    size: int,
    files: dict[tuple[str, int, str], ImportFile],
    seed: int,
    report: DbReport,
) -> None:
    """Raw insert, raw replace, then the fresh and the replacing import, each from the same
    state: leaf_score empty (fresh) or holding the original rows (replace)."""
    units = size // LEAVES
    original = files[fmt, size, "original"]
    changed = files[fmt, size, "changed"]
    records = raw_records(size, "original", seed, fmt, setup.leaf_ids, floats=target.floats)
    await target.empty()
    raw_insert = await target.raw_insert(records)
    del records
    await target.analyze()
    records = raw_records(size, "changed", seed, fmt, setup.leaf_ids, floats=target.floats)
    raw_replace = await target.raw_replace(units, records)
    del records
    print(
        f"  {target.name:8} {fmt:4} {size:>9,}  raw insert {raw_insert:6.1f} s "
        f"({size / raw_insert:>9,.0f}/s), raw delete+insert {raw_replace:6.1f} s "
        f"({size / raw_replace:>9,.0f}/s)",
        flush=True,
    )
    await target.empty()
    spec = {"url": target.url, "year": YEAR}
    for case, source, raw_seconds in (
        ("fresh", original, raw_insert),
        ("replace", changed, raw_replace),
    ):
        run = await asyncio.to_thread(run_child, {**spec, "file": str(source.path)})
        check = await check_totals(target, expected_totals(size, source.variant, seed, fmt))
        report.measurements.append(
            Measurement(fmt, size, case, source, run, raw_seconds, raw_insert, check)
        )
        print(
            f"  {target.name:8} {fmt:4} {size:>9,}  import {case:7} {run.seconds:6.1f} s "
            f"({run.rate:>9,.0f}/s = {100 * run.rate / (size / raw_seconds):4.0f} % of raw), "
            f"peak RSS {run.rss_peak_kib / 1024:,.0f} MiB "
            f"(+{run.rss_growth_mib:,.0f}); {run.outcome}; check {check}",
            flush=True,
        )
        if case == "fresh":
            await target.analyze()
    await target.empty()


async def profile_run(
    target: Target,
    files: dict[tuple[str, int, str], ImportFile],
    fmt: str,
    size: int,
    case: str,
    report: DbReport,
) -> None:
    await target.empty()
    spec = {"url": target.url, "year": YEAR}
    if case == "replace":
        await asyncio.to_thread(run_child, {**spec, "file": str(files[fmt, size, "original"].path)})
        await target.analyze()
    variant = "original" if case == "fresh" else "changed"
    run = await asyncio.to_thread(
        run_child, {**spec, "file": str(files[fmt, size, variant].path), "profile": True}
    )
    report.profile = run.profile
    report.profile_what = (
        f"{target.label}, {fmt} {size:,} rows, {case} import under cProfile "
        f"({run.seconds:.1f} s with the profiler on; worker-thread steps run inline)"
    )
    await target.empty()


async def run_database(
    target: Target,
    setup: Setup,
    args: argparse.Namespace,
    files: dict[tuple[str, int, str], ImportFile],
    profile_here: bool,
) -> DbReport:
    print(f"\n[{target.name}] loading the set-up ({setup.units:,} units) …", flush=True)
    load_seconds = await target.load(setup)
    report = DbReport(target, load_seconds, await target.describe())
    for fmt in args.formats:
        previous: Measurement | None = None
        for size in args.sizes:
            if (fmt, size, "original") not in files:
                continue
            if fmt == "xlsx" and previous is not None and previous.run is not None:
                estimate = previous.run.seconds * size / previous.size
                if estimate > XLSX_IMPORT_BUDGET_S:
                    report.notes.append(
                        f"xlsx {size:,}: skipped, the import would take ~{estimate:.0f} s "
                        f"(from {previous.size:,} rows in {previous.run.seconds:.1f} s)"
                    )
                    continue
            await measure_block(target, setup, fmt, size, files, args.seed, report)
            previous = next(m for m in report.measurements if m.fmt == fmt and m.size == size)
    if profile_here:
        fmt = args.profile_format
        size = max(s for f, s, _v in files if f == fmt)
        print(f"  profiling the {args.profile_case} {fmt} {size:,} import …", flush=True)
        await profile_run(target, files, fmt, size, args.profile_case, report)
    return report


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def print_header(args: argparse.Namespace, pg_version: str) -> None:
    units = max(args.sizes) // LEAVES
    print("PAR Index imports benchmark (bench/imports.py)")
    print(f"  date      {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  command   {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"  set-up    draft year {YEAR}, group {GROUP}, {units:,} units, criteria tree "
        f"{FIELDS} fields × {LEAVES_PER_FIELD} leaves (max 1 each); seed {args.seed}"
    )
    print(
        f"  files     {', '.join(args.formats)} × {', '.join(f'{s:,}' for s in args.sizes)} "
        f"leaf scores ({', '.join(VARIANTS)}); CSV long layout with a note on "
        f"{NOTE_SHARE:.0%} of rows, XLSX wide layout (final scores only)"
    )
    print(f"  code      {source_state()}")
    print(f"  machine   {machine()}")
    print(
        f"  software  Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {pg_version}, asyncpg "
        f"{asyncpg.__version__}, openpyxl {openpyxl.__version__}"
    )


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def print_report(report: DbReport) -> None:
    target = report.target
    print()
    print(f"## {target.label}")
    print(f"set-up load {report.load_seconds:.1f} s; {report.description}")
    print(f"raw: {target.raw_how}")
    print()
    print(
        "| format | leaf scores | case | file MiB | import s | import rows/s | raw rows/s "
        "| import / raw | import / raw insert | peak RSS MiB | RSS growth MiB | B/row | check |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for m in report.measurements:
        run = m.run
        if run is None:
            continue
        print(
            f"| {m.fmt} | {m.size:,} | {m.case} | {m.file.bytes / 2**20:,.1f} "
            f"| {run.seconds:.1f} | {run.rate:,.0f} | {m.raw_rate:,.0f} "
            f"| {100 * run.rate / m.raw_rate:.0f} % | {100 * run.rate / m.raw_insert_rate:.0f} % "
            f"| {mib(run.rss_peak_kib)} | {run.rss_growth_mib:,.0f} "
            f"| {run.rss_growth_mib * 2**20 / m.size:,.0f} | {m.check} |"
        )
    print(
        "(raw rows/s: the same rows written straight: INSERT for fresh, DELETE of the units' "
        "rows + INSERT for replace; RSS growth = peak RSS of the import's process over its RSS "
        "before the import, B/row = that growth per leaf score; check = count, sums and notes "
        "in leaf_score afterwards equal the file's)"
    )
    print()
    print("where the import's time goes (s, share of the import in brackets):")
    print()
    print("| format | leaf scores | case | " + " | ".join(PHASES) + " | GC (full) |")
    print("|---|---:|---|" + "---:|" * (len(PHASES) + 1))
    for m in report.measurements:
        run = m.run
        if run is None:
            continue
        cells = " | ".join(
            f"{run.phases.get(p, 0.0):.2f} ({100 * run.phases.get(p, 0.0) / run.seconds:.0f}%)"
            for p in PHASES
        )
        print(
            f"| {m.fmt} | {m.size:,} | {m.case} | {cells} | {run.gc_seconds:.2f} ({run.gc_full}) |"
        )
    print(
        "(hash+detect = inspect_file; lookups = units, groups, criteria; read+check = "
        "score_import.next_chunk (parse + validate a chunk, worker thread); stage = "
        "ScoreStagingRepository.create/add (the staging table and its COPY/executemany); "
        "repeats = the repeated (unit, leaf) checked and merged in SQL; diff = the SQL diff "
        "(per-unit totals, stored totals, the first changes); delete = "
        "ImportRepository.delete_scores; insert = INSERT … SELECT from staging; "
        "record+commit = audit, revision bump, import record, staging drop, COMMIT; GC = time "
        "in the cyclic "
        "garbage collector during the import, overlapping the phases)"
    )
    for note in report.notes:
        print(f"skipped: {note}")
    if report.profile:
        print()
        print(f"profile: {report.profile_what}")
        print(report.profile)


def print_target(reports: Sequence[DbReport]) -> None:
    print()
    print("## Target: 1M leaf scores from CSV into PostgreSQL, validation included, ≥ 50 % of COPY")
    found = False
    for report in reports:
        if report.target.name != "postgres":
            continue
        for m in report.measurements:
            if m.fmt != "csv" or m.run is None:
                continue
            found = True
            share = 100 * m.run.rate / m.raw_insert_rate
            verdict = "met" if share >= 50 else "missed"
            print(
                f"  csv {m.size:>9,} {m.case:7}: {m.run.rate:>9,.0f} rows/s against COPY "
                f"{m.raw_insert_rate:>9,.0f} rows/s = {share:.0f} % → {verdict}"
            )
    if not found:
        print("  not measured in this run (needs --db postgres|both and --formats csv)")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    for size in sizes:
        if size <= 0 or size % LEAVES:
            raise argparse.ArgumentTypeError(f"{size}: sizes are positive multiples of {LEAVES}")
    return sizes


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        help="leaf scores per file, comma-separated (default 100000,1000000)",
    )
    parser.add_argument(
        "--formats",
        type=lambda text: [f.strip() for f in text.split(",") if f.strip()],
        default=list(FORMATS),
        help="csv, xlsx or both (default csv,xlsx)",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke run: sizes {QUICK_SIZES[0]:,} only"
    )
    parser.add_argument("--seed", type=int, default=20261231)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile one extra import (the largest file of --profile-format, PostgreSQL if "
        "measured) and print it",
    )
    parser.add_argument("--profile-case", choices=("fresh", "replace"), default="fresh")
    parser.add_argument("--profile-format", choices=FORMATS, default="csv")
    parser.add_argument(
        "--keep", action="store_true", help="keep the SQLite file, PG database and files"
    )
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_import:
        return args
    unknown = sorted(set(args.formats) - set(FORMATS))
    if unknown or not args.formats:
        parser.error(f"--formats: choose from {', '.join(FORMATS)}")
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    if max(args.sizes) // LEAVES > 999_999:
        parser.error("--sizes: at most 99,999,900 leaf scores")
    return args


async def main_async(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    print_header(args, await pg_server_version())
    setup = build_setup(max(args.sizes) // LEAVES)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    print("\n[files] writing the import files …", flush=True)
    files = generate_files(args.sizes, args.formats, args.seed, notes)
    for note in notes:
        print(f"  skipped: {note}")
    names = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    profile_db = "postgres" if "postgres" in names else names[-1]
    reports: list[DbReport] = []
    failed = False
    try:
        for name in names:
            target: Target
            if name == "sqlite":
                target = SqliteTarget(args.keep)
            else:
                target = PostgresTarget(args.keep)
                try:
                    await target.create()
                except (OSError, asyncpg.PostgresError) as exc:
                    print(f"\n[postgres] skipped: cannot create {target.database} ({exc})")
                    continue
            try:
                profile_here = (
                    args.profile
                    and name == profile_db
                    and any(f == args.profile_format for f, _s, _v in files)
                )
                reports.append(await run_database(target, setup, args, files, profile_here))
            except Exception:  # report and go on to the next database
                traceback.print_exc()
                print(f"\n[{name}] failed: see the traceback on stderr", flush=True)
                failed = True
            finally:
                await target.close()
    finally:
        if not args.keep:
            shutil.rmtree(files_dir(), ignore_errors=True)
    for report in reports:
        print_report(report)
    for note in notes:
        print(f"skipped: {note}")
    print_target(reports)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    if failed:
        sys.exit(1)


def main() -> None:
    args = parse_args()
    if args.child_import:
        child_main(args.child_import)
        return
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows up when redirected
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
