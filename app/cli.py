"""The command line: migrate the database, load bundled data sets, serve the API."""

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence

import uvicorn
from alembic import command

from app.config import Settings, get_settings
from app.datasets.demo import build_demo_bundle
from app.datasets.lamdong import build_lamdong_bundle
from app.db import create_engine, create_session_factory
from app.migrations import alembic_config
from app.schemas.datasets import DatasetBundle
from app.services.datasets import DatasetLoader, LoadReport

BUILDERS: dict[str, Callable[[], DatasetBundle]] = {
    "lamdong": build_lamdong_bundle,
    "demo": build_demo_bundle,
}


async def load_datasets(settings: Settings, names: Sequence[str]) -> list[LoadReport]:
    """Load each named bundle in its own transaction; loading again changes nothing."""
    engine = create_engine(settings)
    try:
        factory = create_session_factory(engine)
        reports = []
        for name in names:
            async with factory() as session:
                reports.append(await DatasetLoader(session).load(BUILDERS[name]()))
        return reports
    finally:
        await engine.dispose()


def _print_report(report: LoadReport) -> None:
    created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items())) or "nothing"
    unchanged = ", ".join(f"{n} {kind}" for kind, n in sorted(report.unchanged.items()))
    print(
        f"{report.dataset}: created {created}" + (f"; unchanged {unchanged}" if unchanged else "")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="par-index", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the Alembic migrations up to head")
    load = commands.add_parser("load", help="load bundled data sets (idempotent)")
    load.add_argument(
        "datasets", nargs="*", metavar="NAME", help=f"any of {', '.join(BUILDERS)} (default: all)"
    )
    load.add_argument("--skip-demo", action="store_true", help="never load the demo data set")
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "migrate":
        command.upgrade(alembic_config(settings.effective_database_url), "head")
        return 0
    if args.command == "load":
        unknown = sorted(set(args.datasets) - set(BUILDERS))
        if unknown:
            parser.error(f"unknown data set(s): {', '.join(unknown)}")
        names = list(args.datasets) or list(BUILDERS)
        if args.skip_demo or not settings.datasets.load_demo:
            names = [name for name in names if name != "demo"]
        for report in asyncio.run(load_datasets(settings, names)):
            _print_report(report)
        return 0
    uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
