"""`par-index template`: the score template of a (year, group) written to a file, as served."""

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.core.config import Settings
from app.core.db import create_engine, create_session_factory
from app.core.errors import ServiceError
from app.services.access.viewer import EDITORIAL
from app.services.exports.score_sheets import SheetScores
from app.services.exports.template import ScoreTemplate, TemplateService
from app.services.exports.template_workbook import template_workbook
from app.services.publication.years import YearService


def add_template_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    template = commands.add_parser(
        "template", help="write the XLSX score template of a year and unit group"
    )
    template.add_argument("--year", type=int, required=True)
    template.add_argument("--group", required=True, help="unit group code")
    template.add_argument(
        "--kind",
        choices=[kind.value for kind in SheetScores],
        default=SheetScores.FINAL.value,
        help="final (appraised) scores, the default, or self (self-assessed)",
    )
    template.add_argument(
        "-o", "--output", type=Path, help="file to write (default: the name the API gives it)"
    )


async def score_template(
    settings: Settings, *, year: int, group: str, scores: SheetScores
) -> ScoreTemplate:
    """The template as an editor gets it: draft years included."""
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            years = YearService(session, viewer=EDITORIAL)
            service = TemplateService(session, years=years)
            return await service.template(year=year, group=group, scores=scores)
    finally:
        await engine.dispose()


def run_template(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 with the file written; 1 for an unknown year, group or criteria set."""
    scores = SheetScores(args.kind)
    try:
        template = asyncio.run(
            score_template(settings, year=args.year, group=args.group, scores=scores)
        )
    except ServiceError as error:
        print(f"{error.title.render('en')}: {error.detail.render('en')}", file=sys.stderr)
        return 1
    output: Path = args.output or Path(template.filename)
    output.write_bytes(template_workbook(template, generated=datetime.now(UTC).date()))
    print(
        f"wrote {output}: {len(template.units)} unit(s) × {len(template.leaves)} leaves, "
        f"{scores.value} scores of {template.group_code} {template.year}"
    )
    return 0
