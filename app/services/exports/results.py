"""Rankings, breakdowns and improvement lists as export documents (tables + about sheet)."""

from collections.abc import Callable, Iterable

from app.schemas.breakdowns import BreakdownRead, NodeBreakdownRead
from app.schemas.coverage import CoverageRead
from app.schemas.improvements import (
    FieldWeaknessRead,
    GroupImprovementsRead,
    LeafImprovementRead,
    UnitImprovementsRead,
    WeakUnitRead,
)
from app.schemas.rankings import RankingEntryRead, RankingRead
from app.schemas.results import PublishedRead
from app.services.exports.files import (
    FLAG,
    INDEX,
    INTEGER,
    MEAN,
    SCORE,
    AboutItem,
    CellValue,
    Column,
    ExportDocument,
    ItemT,
    Spec,
    Table,
)


def _table(name: str, spec: Spec[ItemT], items: Iterable[ItemT]) -> Table:
    return Table(
        name=name,
        columns=tuple(column for column, _ in spec),
        rows=tuple(tuple(get(item) for _, get in spec) for item in items),
    )


RANKING_SPEC: Spec[RankingEntryRead] = (
    (Column("rank", INTEGER), lambda e: e.rank),
    (Column("rank_basis"), lambda e: e.rank_basis),
    (Column("tied", FLAG), lambda e: e.tied),
    (Column("tie_size", INTEGER), lambda e: e.tie_size),
    (Column("unit_code"), lambda e: e.unit.code),
    (Column("unit_name"), lambda e: e.unit.name),
    (Column("unit_name_vi"), lambda e: e.unit.name_vi),
    (Column("unit_name_en"), lambda e: e.unit.name_en),
    (Column("basis"), lambda e: e.basis),
    (Column("value", SCORE), lambda e: e.value),
    (Column("index", INDEX), lambda e: e.index),
    (Column("total", SCORE), lambda e: e.total),
    (Column("max_score", SCORE), lambda e: e.max_score),
    (Column("missing_leaves", INTEGER), lambda e: e.missing_leaves),
    (Column("band"), lambda e: e.band.label if e.band else None),
    (Column("published_index", INDEX), lambda e: e.published.index if e.published else None),
    (Column("published_rank", INTEGER), lambda e: e.published.rank if e.published else None),
    (Column("published_position"), lambda e: e.published.position if e.published else None),
    (Column("published_position_code"), lambda e: _place(e.published)),
    (Column("published_band_vi"), lambda e: e.published.band_vi if e.published else None),
    (Column("published_source"), lambda e: e.published.source if e.published else None),
    (Column("rank_disagrees", FLAG), lambda e: e.rank_disagrees),
    (Column("index_disagrees", FLAG), lambda e: e.index_disagrees),
    (Column("previous_year", INTEGER), lambda e: e.previous.year if e.previous else None),
    (Column("previous_comparable", FLAG), lambda e: e.previous.comparable if e.previous else None),
    (Column("previous_index", INDEX), lambda e: e.previous.index if e.previous else None),
    (Column("previous_rank", INTEGER), lambda e: e.previous.rank if e.previous else None),
    (Column("rank_change", INTEGER), lambda e: e.previous.rank_change if e.previous else None),
    (Column("index_change", INDEX), lambda e: e.previous.index_change if e.previous else None),
    (Column("previous_reason_code"), lambda e: e.previous.reason_code if e.previous else None),
    (Column("previous_reason"), lambda e: e.previous.reason if e.previous else None),
)


def _place(published: PublishedRead | None) -> str | None:
    return published.place.code if published and published.place else None


def coverage_items(coverage: CoverageRead) -> tuple[AboutItem, ...]:
    """The group's coverage, one field per row: whether ranks and statistics are computed."""
    published = coverage.published
    return (
        AboutItem("coverage_complete", coverage.complete, FLAG),
        AboutItem("units_with_result", coverage.units_with_result, INTEGER),
        AboutItem("units_in_group", coverage.units_in_group, INTEGER),
        AboutItem("ranks", coverage.ranks),
        AboutItem("published_scope", published.scope),
        AboutItem("published_sources", ", ".join(published.sources) or None),
    )


def ranking_document(ranking: RankingRead, *, requested_revision: int | None) -> ExportDocument:
    table = _table("ranking", RANKING_SPEC, ranking.entries)
    stats = ranking.statistics
    summary = ranking.published_summary
    sources = sorted(
        {e.published.source for e in ranking.entries if e.published}
        | ({summary.source} if summary else set())
    )
    subject = ranking.group.code
    if ranking.criterion is not None:
        subject += f"_criterion-{ranking.criterion.code}"
    about = (
        AboutItem("export", "ranking"),
        AboutItem("year", ranking.year, INTEGER),
        AboutItem("revision", ranking.revision, INTEGER),
        AboutItem("status", ranking.status),
        AboutItem("group", ranking.group.code),
        AboutItem("group_name", ranking.group.name),
        AboutItem("criterion", ranking.criterion.code if ranking.criterion else None),
        AboutItem("language", ranking.language),
        AboutItem("rule", ranking.rule),
        AboutItem("max_score", ranking.max_score, SCORE),
        *coverage_items(ranking.coverage),
        AboutItem("statistics_complete", stats.complete, FLAG),
        AboutItem("units", stats.count, INTEGER),
        AboutItem("index_mean", stats.mean, INDEX),
        AboutItem("index_median", stats.median, INDEX),
        AboutItem("index_min", stats.min, INDEX),
        AboutItem("index_max", stats.max, INDEX),
        *(
            AboutItem(f"band_count: {label}", n, INTEGER)
            for label, n in (stats.band_counts or {}).items()
        ),
        AboutItem("published_unit_count", summary.unit_count if summary else None, INTEGER),
        AboutItem("published_note", summary.note if summary else None),
        AboutItem("sources", ", ".join(sources) or None),
    )
    return ExportDocument(
        "ranking", ranking.year, subject, requested_revision, table, (table,), about
    )


BREAKDOWN_SPEC: Spec[NodeBreakdownRead] = (
    (Column("code"), lambda n: n.code),
    (Column("parent_code"), lambda n: n.parent_code),
    (Column("depth", INTEGER), lambda n: n.depth),
    (Column("is_leaf", FLAG), lambda n: n.is_leaf),
    (Column("name"), lambda n: n.name),
    (Column("name_vi"), lambda n: n.name_vi),
    (Column("name_en"), lambda n: n.name_en),
    (Column("method"), lambda n: n.method.value if n.method else None),
    (Column("max_score", SCORE), lambda n: n.max_score),
    (Column("score", SCORE), lambda n: n.score),
    (Column("self_score", SCORE), lambda n: n.self_score),
    (Column("attainment_pct", INDEX), lambda n: n.attainment_pct),
    (Column("points_lost", SCORE), lambda n: n.points_lost),
    (Column("group_mean", MEAN), lambda n: n.group_mean),
    (Column("group_best", SCORE), lambda n: n.group_best),
    (Column("rank", INTEGER), lambda n: n.rank),
)


def breakdown_document(
    breakdown: BreakdownRead, *, requested_revision: int | None
) -> ExportDocument:
    table = _table("breakdown", BREAKDOWN_SPEC, breakdown.nodes)
    about = (
        AboutItem("export", "breakdown"),
        AboutItem("year", breakdown.year, INTEGER),
        AboutItem("revision", breakdown.revision, INTEGER),
        AboutItem("unit", breakdown.unit.code),
        AboutItem("unit_name", breakdown.unit.name),
        AboutItem("group", breakdown.group.code),
        AboutItem("language", breakdown.language),
        AboutItem("rank", breakdown.rank, INTEGER),
        AboutItem("total", breakdown.total, SCORE),
        AboutItem("max_score", breakdown.max_score, SCORE),
        AboutItem("index", breakdown.index, INDEX),
        AboutItem("band", breakdown.band.label if breakdown.band else None),
        AboutItem("bonus", breakdown.bonus, SCORE),
        AboutItem("penalty", breakdown.penalty, SCORE),
        *coverage_items(breakdown.coverage),
        AboutItem("sources", "computed from the stored leaf scores"),
    )
    return ExportDocument(
        "breakdown", breakdown.year, breakdown.unit.code, requested_revision, table, (table,), about
    )


LEAF_SPEC: Spec[LeafImprovementRead] = (
    (Column("code"), lambda leaf: leaf.code),
    (Column("name"), lambda leaf: leaf.name),
    (Column("name_vi"), lambda leaf: leaf.name_vi),
    (Column("name_en"), lambda leaf: leaf.name_en),
    (Column("field_code"), lambda leaf: leaf.field_code),
    (Column("method"), lambda leaf: leaf.method.value),
    (Column("unit_controls", FLAG), lambda leaf: leaf.unit_controls),
    (Column("max_score", SCORE), lambda leaf: leaf.max_score),
    (Column("score", SCORE), lambda leaf: leaf.score),
    (Column("points_lost", SCORE), lambda leaf: leaf.points_lost),
    (Column("attainment_pct", INDEX), lambda leaf: leaf.attainment_pct),
    (Column("group_mean", MEAN), lambda leaf: leaf.group_mean),
    (Column("group_best", SCORE), lambda leaf: leaf.group_best),
    (Column("gap_to_mean", MEAN), lambda leaf: leaf.gap_to_mean),
    (Column("gap_to_best", SCORE), lambda leaf: leaf.gap_to_best),
)


def unit_improvements_document(
    improvements: UnitImprovementsRead, *, requested_revision: int | None
) -> ExportDocument:
    table = _table("improvements", LEAF_SPEC, improvements.leaves)
    above = improvements.next_rank
    about = (
        AboutItem("export", "unit improvements"),
        AboutItem("year", improvements.year, INTEGER),
        AboutItem("revision", improvements.revision, INTEGER),
        AboutItem("unit", improvements.unit.code),
        AboutItem("unit_name", improvements.unit.name),
        AboutItem("language", improvements.language),
        AboutItem("rank", improvements.rank, INTEGER),
        AboutItem("index", improvements.index, INDEX),
        AboutItem("order", improvements.order),
        *coverage_items(improvements.coverage),
        AboutItem("next_rank_unit", above.unit.code if above else None),
        AboutItem("next_rank", above.rank if above else None, INTEGER),
        AboutItem("next_rank_index", above.index if above else None, INDEX),
        AboutItem("max_score", above.max_score if above else None, SCORE),
        AboutItem("index_points_needed", above.index_points_needed if above else None, INDEX),
        AboutItem("total_points_needed", above.total_points_needed if above else None, SCORE),
        AboutItem("index_points_to_pass", above.index_points_to_pass if above else None, INDEX),
        AboutItem("total_points_to_pass", above.total_points_to_pass if above else None, SCORE),
        AboutItem("sources", "computed from the stored leaf scores"),
    )
    return ExportDocument(
        "improvements",
        improvements.year,
        improvements.unit.code,
        requested_revision,
        table,
        (table,),
        about,
    )


def _weak_field(position: int) -> Spec[WeakUnitRead]:
    """Columns for a unit's n-th weakest field, empty where it has fewer."""

    def cell(get: Callable[[FieldWeaknessRead], CellValue]) -> Callable[[WeakUnitRead], CellValue]:
        def read(unit: WeakUnitRead) -> CellValue:
            fields = unit.weakest_fields
            return get(fields[position]) if position < len(fields) else None

        return read

    prefix = f"weakest_field_{position + 1}"
    return (
        (Column(f"{prefix}_code"), cell(lambda f: f.code)),
        (Column(f"{prefix}_name"), cell(lambda f: f.name)),
        (Column(f"{prefix}_attainment_pct", INDEX), cell(lambda f: f.attainment_pct)),
        (Column(f"{prefix}_points_lost", SCORE), cell(lambda f: f.points_lost)),
    )


LOWEST_UNIT_SPEC: Spec[WeakUnitRead] = (
    (Column("rank", INTEGER), lambda u: u.rank),
    (Column("unit_code"), lambda u: u.unit.code),
    (Column("unit_name"), lambda u: u.unit.name),
    (Column("unit_name_vi"), lambda u: u.unit.name_vi),
    (Column("unit_name_en"), lambda u: u.unit.name_en),
    (Column("index", INDEX), lambda u: u.index),
    *_weak_field(0),
    *_weak_field(1),
    *_weak_field(2),
)


def group_improvements_document(
    improvements: GroupImprovementsRead, *, requested_revision: int | None
) -> ExportDocument:
    """The lowest units (the CSV), and in XLSX also the criteria weakest across the group."""
    lowest = _table("lowest_units", LOWEST_UNIT_SPEC, improvements.lowest_units)
    weakest = _table(
        "weakest_criteria",
        (
            (Column("code"), lambda c: c.code),
            (Column("name"), lambda c: c.name),
            (Column("name_vi"), lambda c: c.name_vi),
            (Column("name_en"), lambda c: c.name_en),
            (Column("method"), lambda c: c.method.value),
            (Column("unit_controls", FLAG), lambda c: c.unit_controls),
            (Column("max_score", SCORE), lambda c: c.max_score),
            (Column("mean_score", MEAN), lambda c: c.mean_score),
            (Column("mean_attainment_pct", INDEX), lambda c: c.mean_attainment_pct),
            (Column("units_below_max", INTEGER), lambda c: c.units_below_max),
        ),
        improvements.weakest_criteria,
    )
    about = (
        AboutItem("export", "group improvements"),
        AboutItem("year", improvements.year, INTEGER),
        AboutItem("revision", improvements.revision, INTEGER),
        AboutItem("group", improvements.group.code),
        AboutItem("group_name", improvements.group.name),
        AboutItem("language", improvements.language),
        AboutItem("order", improvements.order),
        *coverage_items(improvements.coverage),
        AboutItem("sources", "computed from the stored leaf scores and published indices"),
    )
    return ExportDocument(
        "improvements",
        improvements.year,
        improvements.group.code,
        requested_revision,
        lowest,
        (lowest, weakest),
        about,
    )
