"""Instructions per cold ranking: a figure that a shared, noisy machine does not move.

Run from the project root, on a PostgreSQL database kept by `bench/rankings.py --keep`:

    .venv/bin/python bench/cold_instructions.py --reuse par_index_bench_NNNN \
        [--group bench-g1000] [--baseline DIR]

Each checkout (this one, and `--baseline DIR` if given, another checkout of the project) runs
under `valgrind --tool=callgrind` twice: once making 1 cold request, once making 1 + `--extra`.
The difference divided by `--extra` is what one cold request costs in the service's process
(the database server's own work is not counted: it is another process). A cold request is the
one after a write, as bench/rankings.py makes it: the data revision moves and the worker's
reading of it is expired; the request goes through the app in process (httpx ASGITransport),
after what the lifespan does at start-up to the garbage collector. It asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_COLLECTED = re.compile(r"Collected : (\d+)")


async def cold_requests(database: str, path: str, count: int) -> None:
    """`count` cold requests of `path`, in this process (the app imported from PYTHONPATH)."""
    import httpx
    from pydantic import SecretStr
    from sqlalchemy import text

    from app import main as app_main
    from app.core.config import DatabaseSettings, Settings
    from app.core.db import create_engine, create_session_factory
    from app.core.migrations import script_heads

    settings = Settings(
        database=DatabaseSettings(
            url=SecretStr(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}")
        ),
        database_url=None,
        rate_limit={"enabled": False},
        logging={"level": "WARNING"},
    )
    engine = create_engine(settings)
    app = app_main.create_app(settings)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.migration_heads = script_heads()
    gc.collect()
    getattr(app_main, "settle_garbage_collector", gc.freeze)()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(count):
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE data_revision SET revision = revision + 1 WHERE id = 1")
                )
            app.state.result_cache.expire()
            response = await client.get(path)
            if response.status_code != 200:
                sys.exit(f"GET {path} -> {response.status_code}: {response.text[:300]}")
    await engine.dispose()


def instructions(source: Path, args: argparse.Namespace, count: int) -> int:
    """Instructions callgrind counts for a whole process making `count` cold requests."""
    with tempfile.TemporaryDirectory() as work:
        argv = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={work}/callgrind.out",
            sys.executable,
            str(Path(__file__).resolve()),
            "--reuse",
            args.reuse,
            "--path",
            args.path,
            "--inner",
            str(count),
        ]
        env = {**os.environ, "PYTHONPATH": str(source)}
        done = subprocess.run(argv, cwd=source, env=env, capture_output=True, text=True)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"callgrind run failed in {source}:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_request(source: Path, args: argparse.Namespace) -> float:
    one = instructions(source, args, 1)
    more = instructions(source, args, 1 + args.extra)
    return (more - one) / args.extra


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reuse", required=True, metavar="DATABASE")
    parser.add_argument("--group", default="bench-g1000")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--extra", type=int, default=3, help="cold requests the second run adds")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured the same way")
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.path is None:
        args.path = f"/api/v1/years/{args.year}/rankings/{args.group}"
    return args


def main() -> None:
    args = parse_args()
    if args.inner is not None:
        asyncio.run(cold_requests(args.reuse, args.path, args.inner))
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench/cold_instructions.py needs valgrind; on Debian: apt-get install valgrind")
    sources = [("this checkout", ROOT)]
    if args.baseline is not None:
        sources.append(("baseline", args.baseline.resolve()))
    print(f"cold GET {args.path} on {args.reuse}, callgrind, (runs of 1 and {1 + args.extra})")
    for label, source in sources:
        figure = per_request(source, args)
        print(f"  {label:14} {source}: {figure / 1e6:8.1f} M instructions per cold request")


if __name__ == "__main__":
    main()
