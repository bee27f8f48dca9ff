"""The command line: migrate, load bundled data sets, import files, write score templates,
manage API keys, serve."""

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from app.cli_template import add_template_command, run_template
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_session_factory
from app.core.errors import ServiceError
from app.core.migration_lock import migration_lock
from app.core.migrations import MigrationOutcome, migrate_database
from app.core.result_cache import ResultCache
from app.datasets.demo import build_demo_bundle
from app.datasets.lamdong import build_lamdong_bundle
from app.main import default_document
from app.openapi import render
from app.schemas.datasets import DatasetBundle
from app.schemas.imports import (
    ImportKind,
    ImportOptions,
    ImportReportRead,
)
from app.schemas.keys import (
    ApiKeyCreate,
    ApiKeyRead,
)
from app.schemas.vocabularies import RoleName
from app.services.access.api_keys import ApiKeyService
from app.services.imports.parsing import ReadLimits
from app.services.imports.service import ImportService, ImportSource
from app.services.registry.datasets import DatasetLoader, LoadReport
from app.services.webhooks.delivery import drain_once
from app.serving import serve, worker_refusal

BUILDERS: dict[str, Callable[[], DatasetBundle]] = {
    "lamdong": build_lamdong_bundle,
    "demo": build_demo_bundle,
}


def _say_waiting() -> None:
    print("waiting for another migration or load of this database to finish", file=sys.stderr)


async def load_datasets(settings: Settings, names: Sequence[str]) -> list[LoadReport]:
    """Load each named bundle in its own transaction; loading again changes nothing.

    Under the migration lock: replicas loading at once would otherwise each find a bundle missing
    and race to create it; in turn, the later ones find it there.
    """
    engine = create_engine(settings)
    try:
        factory = create_session_factory(engine)
        reports = []
        async with engine.connect() as holder, migration_lock(holder, on_wait=_say_waiting):
            for name in names:
                async with factory() as session:
                    reports.append(await DatasetLoader(session).load(BUILDERS[name]()))
        return reports
    finally:
        await engine.dispose()


def _print_migration(outcome: MigrationOutcome) -> None:
    after = ", ".join(sorted(outcome.after)) or "no revision"
    if outcome.migrated:
        before = ", ".join(sorted(outcome.before)) or "an empty database"
        print(f"migrated from {before} to {after}")
    else:
        print(f"already at {after}: nothing to migrate")


def _print_report(report: LoadReport) -> None:
    created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items())) or "nothing"
    unchanged = ", ".join(f"{n} {kind}" for kind, n in sorted(report.unchanged.items()))
    print(
        f"{report.dataset}: created {created}" + (f"; unchanged {unchanged}" if unchanged else "")
    )


PROGRESS_FROM_BYTES = 1 << 20
CHANGES_SHOWN = 20
PROGRESS_WIDTH = 30


def progress_bar(total: int) -> Callable[[int], None]:
    """A one-line stderr bar driven by the bytes read so far, redrawn once per percent."""
    shown = -1

    def update(done: int) -> None:
        nonlocal shown
        percent = min(100, done * 100 // max(total, 1))
        if percent != shown:
            shown = percent
            filled = percent * PROGRESS_WIDTH // 100
            bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
            sys.stderr.write(f"\r[{bar}] {percent:3d}% of {total:,} bytes")
            sys.stderr.flush()

    return update


async def import_file(
    settings: Settings,
    *,
    source: ImportSource,
    year: int,
    options: ImportOptions,
    progress: Callable[[int], None] | None,
) -> ImportReportRead:
    """Run one import against the configured database, as the API would."""
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            # A one-off process: a cache of its own, which nothing reads after the import.
            limits = ReadLimits.from_settings(settings.imports)
            return await ImportService(session, ResultCache(), limits=limits).import_file(
                year=year,
                source=source,
                options=options,
                actor=f"cli:{getpass.getuser()}",
                progress=progress,
            )
    finally:
        await engine.dispose()


def _print_import(report: ImportReportRead) -> None:
    print(f"{report.outcome.value}: {report.kind.value} import #{report.id} of {report.year}")
    print(f"file: {report.file_name} ({report.file_format}, {report.size_bytes:,} bytes)")
    print(f"sha256: {report.sha256}")
    print("counts: " + ", ".join(f"{name} {n}" for name, n in report.counts.items()))
    for change in report.changes[:CHANGES_SHOWN]:
        where = "/".join(part for part in (change.unit_code, change.criterion_code) if part)
        print(f"  {where} {change.field}: {change.before} -> {change.after}")
    more = report.changes_omitted + max(len(report.changes) - CHANGES_SHOWN, 0)
    if more:
        print(f"  … and {more} more change(s)")
    for mismatch in report.mismatches:
        print(
            f"mismatch: {mismatch.unit_code} published {mismatch.published}, "
            f"computed {mismatch.computed}"
        )
    for figure in report.figure_mismatches:
        print(
            f"sheet figure: {figure.sheet}:{figure.row}:{figure.column} {figure.unit_code} "
            f"{figure.in_file} in the file, {figure.computed} computed"
        )
    print(report.summary_vi)


def _print_refusal(error: ServiceError) -> None:
    # Problems in English, the language of the options and the logs; the import's one-line
    # summary in Vietnamese, as a report prints it.
    print(f"{error.title.render('en')}: {error.detail.render('en')}", file=sys.stderr)
    for problem in error.errors:
        where = ":".join(str(part) for part in problem.loc)
        print(f"{where}: {problem.as_dict('en')['msg']}", file=sys.stderr)
    if "summary_vi" in error.extensions:
        print(error.extensions["summary_vi"], file=sys.stderr)


CLI_ACTOR = "cli"
ROLE_NAMES: tuple[RoleName, ...] = ("reader", "editor", "publisher", "admin")


async def create_api_key(settings: Settings, *, name: str, role: RoleName) -> str:
    """A new key, recorded in the audit trail as made from the command line."""
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            created = await ApiKeyService(session).create_key(
                ApiKeyCreate(name=name, role=role), actor=f"{CLI_ACTOR}:{getpass.getuser()}"
            )
            return created.key
    finally:
        await engine.dispose()


async def list_api_keys(settings: Settings) -> list[ApiKeyRead]:
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            return await ApiKeyService(session).list_keys()
    finally:
        await engine.dispose()


async def revoke_api_key(settings: Settings, key_id: int) -> ApiKeyRead:
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            return await ApiKeyService(session).revoke_key(
                key_id, actor=f"{CLI_ACTOR}:{getpass.getuser()}"
            )
    finally:
        await engine.dispose()


def _print_key_line(key: ApiKeyRead) -> None:
    revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
    print(f"{key.id}\t{key.prefix}…\t{key.role}\t{revoked}\t{key.name}")


def _add_key_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="API keys: create, list, revoke")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", help="create a key; prints only the key, shown once")
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument("--role", required=True, choices=ROLE_NAMES)
    actions.add_parser("list", help="list keys (id, prefix, role, state, name), never the keys")
    revoke = actions.add_parser("revoke", help="revoke a key; it is refused from the next call")
    revoke.add_argument("key_id", type=int, metavar="ID")


def _run_keys(args: argparse.Namespace, settings: Settings) -> int:
    """`create` prints the key alone on stdout, so scripts can capture it."""
    if args.keys_command == "create":
        try:
            ApiKeyCreate(name=args.name, role=args.role)
        except ValidationError as error:
            for item in error.errors():
                print(f"--{item['loc'][0]}: {item['msg']}", file=sys.stderr)
            return 2
        print(asyncio.run(create_api_key(settings, name=args.name, role=args.role)))
        return 0
    if args.keys_command == "list":
        for key in asyncio.run(list_api_keys(settings)):
            _print_key_line(key)
        return 0
    try:
        _print_key_line(asyncio.run(revoke_api_key(settings, args.key_id)))
    except ServiceError as error:
        _print_refusal(error)
        return 1
    return 0


def _add_import_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    imports = commands.add_parser("import", help="import a year from a CSV, XLSX or JSON file")
    kinds = imports.add_subparsers(dest="kind", required=True)
    for kind, what in (
        (ImportKind.SCORES, "leaf scores: each unit in the file gets exactly the file's scores"),
        (ImportKind.CRITERIA, "a group's criteria tree and bands"),
        (ImportKind.PUBLISHED, "results as published (index, rank, band, source)"),
    ):
        command_parser = kinds.add_parser(kind.value, help=what)
        command_parser.add_argument("file", type=Path)
        command_parser.add_argument("--year", type=int, required=True)
        command_parser.add_argument("--dry-run", action="store_true", help="check, write nothing")
        command_parser.add_argument(
            "--correction-reason", help="required to change a published year"
        )
        if kind is ImportKind.SCORES:
            command_parser.add_argument("--missing-leaves", choices=("error", "zero"))
        if kind is ImportKind.CRITERIA:
            command_parser.add_argument("--group", required=True)


def _run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when applied, unchanged or dry-run; 1 when refused, with every problem listed."""
    try:
        options = ImportOptions(
            kind=ImportKind(args.kind),
            dry_run=args.dry_run,
            missing_leaves=getattr(args, "missing_leaves", None) or settings.imports.missing_leaves,
            group=getattr(args, "group", None),
            correction_reason=args.correction_reason,
        )
    except ValidationError as error:
        for item in error.errors():
            print(
                f"--{'-'.join(map(str, item['loc'])).replace('_', '-')}: {item['msg']}",
                file=sys.stderr,
            )
        return 2
    path: Path = args.file
    if not path.is_file():
        print(f"No such file: {path}", file=sys.stderr)
        return 1
    size = path.stat().st_size
    progress = progress_bar(size) if size >= PROGRESS_FROM_BYTES else None
    try:
        with path.open("rb") as file:
            source = ImportSource(file, path.name)
            report = asyncio.run(
                import_file(
                    settings, source=source, year=args.year, options=options, progress=progress
                )
            )
    except ServiceError as error:
        _print_refusal(error)
        return 1
    finally:
        if progress is not None:
            sys.stderr.write("\n")
    _print_import(report)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="par-index", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the Alembic migrations up to head")
    load = commands.add_parser("load", help="load bundled data sets (idempotent)")
    load.add_argument(
        "datasets", nargs="*", metavar="NAME", help=f"any of {', '.join(BUILDERS)} (default: all)"
    )
    load.add_argument("--skip-demo", action="store_true", help="never load the demo data set")
    _add_import_commands(commands)
    add_template_command(commands)
    _add_key_commands(commands)
    webhooks = commands.add_parser("webhooks", help="webhook deliveries")
    webhooks.add_subparsers(dest="webhooks_command", required=True).add_parser(
        "drain", help="send every due webhook delivery once (for cron)"
    )
    openapi = commands.add_parser("openapi", help="write the OpenAPI document (the contract)")
    openapi.add_argument("-o", "--output", type=Path, default=Path("openapi.json"))
    _add_serve_command(commands)
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "migrate":
        try:
            _print_migration(asyncio.run(migrate_database(settings, on_wait=_say_waiting)))
        except ServiceError as error:
            _print_refusal(error)
            return 1
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
    if args.command == "import":
        return _run_import(args, settings)
    if args.command == "template":
        return run_template(args, settings)
    if args.command == "keys":
        return _run_keys(args, settings)
    if args.command == "openapi":
        args.output.write_text(render(default_document()), encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    if args.command == "webhooks":
        drained = asyncio.run(drain_once(settings))
        print(
            f"webhooks: {drained.delivered} delivered, {drained.retrying} to retry, "
            f"{drained.failed} failed"
        )
        return 0
    return _serve(args, settings)


def _add_serve_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=positive_int,
        help="worker processes (default: APP_SERVER__WORKERS, 1); more than one needs "
        "APP_RATE_LIMIT__REDIS_URL or APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS=true",
    )


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    workers: int = args.workers or settings.server.workers
    refusal = worker_refusal(settings, workers)
    if refusal is not None:
        print(f"par-index serve: {refusal}", file=sys.stderr)
        return 2
    serve(settings, host=args.host, port=args.port, workers=workers)
    return 0


def positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of at least 1")
    return number


if __name__ == "__main__":
    sys.exit(main())
