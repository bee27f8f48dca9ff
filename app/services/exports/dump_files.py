"""The open-data dump as a ZIP of CSV files, each written by export_files (formula-safe)."""

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC

from app.schemas.dump import YearDumpRead
from app.services.exports.files import (
    FLAG,
    INDEX,
    INTEGER,
    SCORE,
    CellValue,
    Column,
    Table,
    write_csv,
)

# ZIP entries need a date; the dump's is its revision's, so the same revision gives the same bytes.
EARLIEST_ZIP_DATE: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)


def _table(name: str, columns: Iterable[Column], rows: Iterable[tuple[CellValue, ...]]) -> Table:
    return Table(name, tuple(columns), tuple(rows))


def dump_tables(dump: YearDumpRead) -> list[Table]:
    """about, units, criteria, bands, scores, coverage, rankings, published, group_summaries,
    revisions."""
    return [
        _about_table(dump),
        _units_table(dump),
        _criteria_table(dump),
        _bands_table(dump),
        _scores_table(dump),
        _coverage_table(dump),
        _rankings_table(dump),
        _published_table(dump),
        _group_summaries_table(dump),
        _revisions_table(dump),
    ]


def _about_table(dump: YearDumpRead) -> Table:
    """The year and the revision shown, one field per row."""
    year = dump.year
    about = {
        "format": dump.format,
        "year": str(year.year),
        "status": year.status,
        "revision": str(year.revision),
        "latest_revision": str(year.latest_revision),
        "published_at": year.published_at.isoformat() if year.published_at else None,
        "legal_basis": year.legal_basis,
        "note": year.note,
        "source_code": year.source.code if year.source else None,
        "source_title": year.source.title if year.source else None,
        "source_url": year.source.url if year.source else None,
    }
    return _table("about", (Column("field"), Column("value")), about.items())


def _units_table(dump: YearDumpRead) -> Table:
    return _table(
        "units",
        (Column("code"), Column("name_vi"), Column("name_en"), Column("group")),
        ((u.code, u.name_vi, u.name_en, u.group) for u in dump.units),
    )


def _criteria_table(dump: YearDumpRead) -> Table:
    return _table(
        "criteria",
        (
            Column("group"),
            Column("code"),
            Column("parent_code"),
            Column("depth", INTEGER),
            Column("is_leaf", FLAG),
            Column("name_vi"),
            Column("name_en"),
            Column("max_score", SCORE),
            Column("method"),
        ),
        (
            (
                tree.group,
                node.code,
                node.parent_code,
                node.depth,
                node.is_leaf,
                node.name_vi,
                node.name_en,
                node.max_score,
                node.method.value if node.method else None,
            )
            for tree in dump.criteria_sets
            for node in tree.criteria
        ),
    )


def _bands_table(dump: YearDumpRead) -> Table:
    return _table(
        "bands",
        (Column("group"), Column("label_vi"), Column("label_en"), Column("min_index", INDEX)),
        (
            (tree.group, band.label_vi, band.label_en, band.min_index)
            for tree in dump.criteria_sets
            for band in tree.bands
        ),
    )


def _scores_table(dump: YearDumpRead) -> Table:
    return _table(
        "scores",
        (
            Column("group"),
            Column("unit_code"),
            Column("criterion_code"),
            Column("self_score", SCORE),
            Column("final_score", SCORE),
            Column("note"),
        ),
        ((s.group, s.unit, s.criterion, s.self_score, s.final_score, s.note) for s in dump.scores),
    )


def _coverage_table(dump: YearDumpRead) -> Table:
    """Per ranked group: whether its results are complete, so its ranks computed."""
    return _table(
        "coverage",
        (
            Column("group"),
            Column("complete", FLAG),
            Column("units_with_result", INTEGER),
            Column("units_in_group", INTEGER),
            Column("ranks"),
            Column("published_scope"),
            Column("published_sources"),
        ),
        (
            (
                ranking.group,
                ranking.coverage.complete,
                ranking.coverage.units_with_result,
                ranking.coverage.units_in_group,
                ranking.coverage.ranks,
                ranking.coverage.published.scope,
                ", ".join(ranking.coverage.published.sources) or None,
            )
            for ranking in dump.rankings
        ),
    )


def _rankings_table(dump: YearDumpRead) -> Table:
    return _table(
        "rankings",
        (
            Column("group"),
            Column("rank", INTEGER),
            Column("rank_basis"),
            Column("tie_size", INTEGER),
            Column("unit_code"),
            Column("basis"),
            Column("index", INDEX),
            Column("total", SCORE),
            Column("max_score", SCORE),
            Column("missing_leaves", INTEGER),
            Column("band_vi"),
            Column("band_en"),
            Column("published_index", INDEX),
            Column("published_rank", INTEGER),
            Column("published_position_code"),
            Column("rank_disagrees", FLAG),
            Column("index_disagrees", FLAG),
        ),
        (
            (
                ranking.group,
                e.rank,
                e.rank_basis,
                e.tie_size,
                e.unit,
                e.basis,
                e.index,
                e.total,
                e.max_score,
                e.missing_leaves,
                e.band_vi,
                e.band_en,
                e.published_index,
                e.published_rank,
                e.published_position_code,
                e.rank_disagrees,
                e.index_disagrees,
            )
            for ranking in dump.rankings
            for e in ranking.entries
        ),
    )


def _published_table(dump: YearDumpRead) -> Table:
    return _table(
        "published",
        (
            Column("group"),
            Column("unit_code"),
            Column("index", INDEX),
            Column("rank", INTEGER),
            Column("position"),
            Column("position_code"),
            Column("band_vi"),
            Column("source"),
            Column("note"),
        ),
        (
            (
                p.group,
                p.unit,
                p.index,
                p.rank,
                p.position,
                p.position_code,
                p.band_vi,
                p.source,
                p.note,
            )
            for p in dump.published_results
        ),
    )


def _group_summaries_table(dump: YearDumpRead) -> Table:
    return _table(
        "group_summaries",
        (
            Column("group"),
            Column("unit_count", INTEGER),
            Column("band_counts"),
            Column("note"),
            Column("source"),
        ),
        (
            (
                s.group,
                s.unit_count,
                json.dumps(s.band_counts, ensure_ascii=False) if s.band_counts else None,
                s.note,
                s.source,
            )
            for s in dump.group_summaries
        ),
    )


def _revisions_table(dump: YearDumpRead) -> Table:
    return _table(
        "revisions",
        (Column("number", INTEGER), Column("kind"), Column("reason"), Column("created_at")),
        ((r.number, r.kind, r.reason, r.created_at.isoformat()) for r in dump.revisions),
    )


def dump_zip(dump: YearDumpRead) -> bytes:
    """One CSV per table (UTF-8, header row), dated with the revision shown."""
    date_time = EARLIEST_ZIP_DATE
    for revision in dump.revisions:
        if revision.number == dump.year.revision:
            at = revision.created_at
            at = at.astimezone(UTC) if at.tzinfo else at  # SQLite gives naive UTC
            date_time = max((at.year, at.month, at.day, at.hour, at.minute, at.second), date_time)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in dump_tables(dump):
            entry = zipfile.ZipInfo(f"{table.name}.csv", date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, write_csv(table))
    return buffer.getvalue()
