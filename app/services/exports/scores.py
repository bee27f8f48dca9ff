"""Leaf scores exported in the import layout, so an export re-imported gives identical data."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.exports import ExportRepository, ExportScoreRow
from app.services.exports.files import INTEGER, SCORE, AboutItem, Column, ExportDocument, Table
from app.services.publication.years import YearService
from app.services.registry.criteria_tree import parent_code
from app.services.registry.units import UnitService

# Leaf scores in the import layout: one row per stored score; the importer reads these headers.
SCORE_COLUMNS = (
    Column("unit_code"),
    Column("criterion_code"),
    Column("self_score", SCORE),
    Column("final_score", SCORE),
    Column("note"),
)


@dataclass(frozen=True)
class CriterionRow:
    group_code: str
    code: str
    name_vi: str
    name_en: str
    max_score: Decimal
    method: str | None
    is_leaf: bool


@dataclass(frozen=True)
class ScoreExport:
    """A year's stored leaf scores (optionally one group's) with the criteria they were given on."""

    year: int
    status: str
    revision: int
    source: str | None
    group: str | None
    scores: tuple[ExportScoreRow, ...]
    criteria: tuple[CriterionRow, ...]


def scores_long_table(export: ScoreExport) -> Table:
    rows = tuple(
        (row.unit_code, row.criterion_code, row.self_score, row.final_score, row.note)
        for row in export.scores
    )
    return Table("long", SCORE_COLUMNS, rows)


def scores_wide_tables(export: ScoreExport) -> list[Table]:
    """Per group: a row per unit with its final score on each leaf in tree order; empty if none."""
    groups = list(dict.fromkeys(c.group_code for c in export.criteria))
    tables = []
    for group in groups:
        leaves = [c.code for c in export.criteria if c.group_code == group and c.is_leaf]
        finals: dict[str, dict[str, Decimal | None]] = {}
        for row in export.scores:
            if row.group_code == group:
                finals.setdefault(row.unit_code, {})[row.criterion_code] = row.final_score
        columns = (Column("unit_code"), *(Column(code, SCORE) for code in leaves))
        rows = tuple(
            (unit, *(scores.get(code) for code in leaves)) for unit, scores in finals.items()
        )
        tables.append(Table(group, columns, rows))
    return tables


def criteria_table(export: ScoreExport) -> Table:
    columns = (
        Column("group"),
        Column("code"),
        Column("parent_code"),
        Column("name_vi"),
        Column("name_en"),
        Column("max_score", SCORE),
        Column("method"),
    )
    rows = tuple(
        (c.group_code, c.code, parent_code(c.code), c.name_vi, c.name_en, c.max_score, c.method)
        for c in export.criteria
    )
    return Table("criteria", columns, rows)


def scores_document(export: ScoreExport) -> ExportDocument:
    """CSV: the long import layout. XLSX: a wide sheet per group, `long`, `criteria`, `about`."""
    long = scores_long_table(export)
    about = (
        AboutItem("export", "leaf scores"),
        AboutItem("year", export.year, INTEGER),
        AboutItem("status", export.status),
        AboutItem("revision", export.revision, INTEGER),
        AboutItem("group", export.group or "all"),
        AboutItem("scores", len(export.scores), INTEGER),
        AboutItem("source", export.source),
    )
    return ExportDocument(
        "scores",
        export.year,
        export.group or "all",
        None,
        long,
        (*scores_wide_tables(export), long, criteria_table(export)),
        about,
    )


class ScoreExportService:
    def __init__(self, session: AsyncSession, *, years: YearService) -> None:
        self.exports = ExportRepository(session)
        self.years = years
        self.units = UnitService(session)

    async def score_export(self, *, year: int, group: str | None) -> ScoreExport:
        """Every stored leaf score of the year as it is now (the latest revision)."""
        assessment_year = await self.years.require_year(year)
        group_id = (await self.units.require_group(group)).id if group is not None else None
        criteria_sets = await self.exports.criteria_sets_of_year(year=year, group_id=group_id)
        criteria: list[CriterionRow] = []
        for criteria_set in criteria_sets:
            inner = {parent_code(node.code) for node in criteria_set.criteria}
            criteria.extend(
                CriterionRow(
                    group_code=criteria_set.group.code,
                    code=node.code,
                    name_vi=node.name_vi,
                    name_en=node.name_en,
                    max_score=node.max_score,
                    method=node.method,
                    is_leaf=node.code not in inner,
                )
                for node in criteria_set.criteria
            )
        source = assessment_year.source
        return ScoreExport(
            year=year,
            status=assessment_year.status,
            revision=assessment_year.revision,
            source=f"{source.code}: {source.title}" if source else None,
            group=group,
            scores=tuple(await self.exports.leaf_scores_of_year(year=year, group_id=group_id)),
            criteria=tuple(criteria),
        )
