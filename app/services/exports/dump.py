"""Everything published for a year in one document (the open-data dump), at any revision.

The dump is the public record: draft years are never in it, whoever asks. It is assembled from
the same services as the single endpoints (rankings, criteria sets) so the figures cannot
differ, and its rendered bytes are cached per data revision like rankings are.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.result_cache import ResultCache
from app.models import AssessmentYear
from app.repositories.exports import ExportRepository
from app.repositories.publication import PublicationRepository
from app.repositories.results import ResultRepository
from app.schemas.audit import YearRevisionRead
from app.schemas.criteria import CriteriaSetRead
from app.schemas.dump import (
    DumpGroupRead,
    DumpGroupSummaryRead,
    DumpPublishedResultRead,
    DumpRankingEntryRead,
    DumpRankingRead,
    DumpScoreRead,
    DumpUnitRead,
    DumpYearRead,
    YearDumpRead,
)
from app.schemas.rankings import RankingEntryRead, RankingRead
from app.schemas.units import GroupRead
from app.schemas.years import SourceRead
from app.services.access.viewer import PUBLIC
from app.services.exports import dump_files
from app.services.publication.snapshots import as_decimal, load_snapshot
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaService
from app.services.registry.groups import GroupService
from app.services.registry.units import UnitService
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitSnapshot, snapshot_unit
from app.services.results.positions import position_code
from app.services.results.ranking import RankingService


class DumpFormat(StrEnum):
    """The open-data dump as one JSON document, or as a ZIP of CSV files."""

    JSON = "json"  # one document
    CSV = "csv"  # a ZIP of CSV files


# Labels in both languages are in every row; "vi" only picks the statistics' band labels.
LANGUAGE: Literal["vi"] = "vi"


class DumpService:
    def __init__(self, session: AsyncSession, cache: ResultCache) -> None:
        self.session = session
        self.cache = cache
        # Never drafts, not even for editors: the dump is what was published.
        self.years = YearService(session, viewer=PUBLIC)
        self.rankings = RankingService(GroupResultService(session, cache, years=self.years))
        self.criteria = CriteriaService(session, years=self.years)
        self.units = UnitService(session)
        self.groups = GroupService(session)

    async def dump_file(
        self, *, year: int, revision: int | None, file_format: DumpFormat
    ) -> tuple[bytes, str]:
        """The dump as JSON or as a ZIP of CSV files, and its file name."""
        assessment_year = await self.years.require_year(year)
        shown = revision if revision is not None else assessment_year.revision
        if shown != assessment_year.revision:
            await load_snapshot(self.session, year=year, revision=shown)  # 404 if unknown
        extension = "json" if file_format is DumpFormat.JSON else "zip"
        filename = f"par-index_{year}_rev{shown}.{extension}"
        await self.rankings.results.sync()
        key = ("dump", year, shown, file_format)
        cached = self.cache.get(key)
        if isinstance(cached, bytes):
            return cached, filename
        dump = await self.year_dump(assessment_year, revision=shown)
        content = (
            dump.model_dump_json().encode()
            if file_format is DumpFormat.JSON
            else dump_files.dump_zip(dump)
        )
        self.rankings.results.keep(key, content)
        return content, filename

    async def year_dump(self, assessment_year: AssessmentYear, *, revision: int) -> YearDumpRead:
        """Every group with something published at the revision: its units, trees and scores."""
        year = assessment_year.year
        groups, rankings, group_years = await self._published_groups(year, revision=revision)
        units = {o.unit.code: o.unit for g in group_years for o in g.outcomes}
        scores = await self._scores(year, revision, latest=assessment_year.revision, units=units)
        criteria_sets = await self._criteria_sets(year, revision=revision, group_years=group_years)
        return YearDumpRead(
            year=_year_read(assessment_year, revision=revision),
            revisions=await self._revisions(year, revision=revision),
            groups=[DumpGroupRead.model_validate(group) for group in groups],
            units=_units(units.values(), groups=groups),
            criteria_sets=criteria_sets,
            scores=scores,
            rankings=[_ranking(ranking) for ranking in rankings],
            published_results=_published_results(group_years),
            group_summaries=_group_summaries(rankings),
        )

    async def _published_groups(
        self, year: int, *, revision: int
    ) -> tuple[list[GroupRead], list[RankingRead], list[GroupYear]]:
        """The groups with results or a criteria set, in group order; a ranking for each group
        with results (a group with a tree but no result yet has none)."""
        groups: list[GroupRead] = []
        rankings: list[RankingRead] = []
        group_years: list[GroupYear] = []
        for group in await self.groups.list_groups():
            group_year = await self.rankings.results.group_year(
                year=year, group=group.code, revision=revision
            )
            if not group_year.has_results and group_year.tree is None:
                continue
            groups.append(group)
            group_years.append(group_year)
            if group_year.has_results:
                rankings.append(
                    await self.rankings.get_ranking(
                        year=year,
                        group=group.code,
                        criterion=None,
                        language=LANGUAGE,
                        revision=revision,
                    )
                )
        return groups, rankings, group_years

    async def _criteria_sets(
        self, year: int, *, revision: int, group_years: list[GroupYear]
    ) -> list[CriteriaSetRead]:
        """The tree of every group that has one."""
        return [
            await self.criteria.get_criteria_set(
                year=year, group=group_year.group_code, revision=revision
            )
            for group_year in group_years
            if group_year.tree is not None
        ]

    async def _revisions(self, year: int, *, revision: int) -> list[YearRevisionRead]:
        """The year's revisions up to the one shown."""
        return [
            YearRevisionRead.model_validate(r)
            for r in await PublicationRepository(self.session).list_revisions(year)
            if r.number <= revision
        ]

    async def _scores(
        self, year: int, revision: int, *, latest: int, units: dict[str, UnitSnapshot]
    ) -> list[DumpScoreRead]:
        """Every leaf score: live at the latest revision, else from the revision's snapshot.

        Units found only through their scores (none in a consistent year) join `units`.
        """
        if revision == latest:
            rows = await ExportRepository(self.session).leaf_scores_of_year(
                year=year, group_id=None
            )
            for code in sorted({row.unit_code for row in rows} - set(units)):
                units[code] = snapshot_unit(await self.units.require_unit(code))
            return [
                DumpScoreRead(
                    group=row.group_code,
                    unit=row.unit_code,
                    criterion=row.criterion_code,
                    self_score=row.self_score,
                    final_score=row.final_score,
                    note=row.note,
                )
                for row in rows
            ]
        snapshot = await load_snapshot(self.session, year=year, revision=revision)
        by_id = {unit.id: unit for unit in units.values()}
        wanted = {row[0] for part in snapshot["groups"].values() for row in part["scores"]}
        for row in await ResultRepository(self.session).units_by_id(sorted(wanted - set(by_id))):
            by_id[row.id] = units[row.code] = UnitSnapshot(*row)
        group_order = {g.code: g.sort_order for g in await self.groups.list_groups()}
        scores: list[tuple[tuple[int, str, str, int], DumpScoreRead]] = []
        for group, part in snapshot["groups"].items():
            tree_order = {node[0]: position for position, node in enumerate(part["criteria"])}
            for unit_id, criterion, self_score, final_score, note in part["scores"]:
                code = by_id[unit_id].code
                order = (group_order.get(group, 0), group, code, tree_order[criterion])
                scores.append(
                    (
                        order,
                        DumpScoreRead(
                            group=group,
                            unit=code,
                            criterion=criterion,
                            self_score=as_decimal(self_score),
                            final_score=as_decimal(final_score),
                            note=note,
                        ),
                    )
                )
        return [score for _, score in sorted(scores, key=lambda item: item[0])]


def _year_read(assessment_year: AssessmentYear, *, revision: int) -> DumpYearRead:
    source = assessment_year.source
    return DumpYearRead(
        year=assessment_year.year,
        status=assessment_year.status,
        revision=revision,
        latest_revision=assessment_year.revision,
        published_at=assessment_year.published_at,
        legal_basis=assessment_year.legal_basis,
        note=assessment_year.note,
        source=SourceRead.model_validate(source) if source else None,
    )


def _units(units: Iterable[UnitSnapshot], *, groups: list[GroupRead]) -> list[DumpUnitRead]:
    """Units in the order of their groups in the dump, then by code."""
    group_order = {group.code: position for position, group in enumerate(groups)}
    return [
        DumpUnitRead(
            code=unit.code,
            name_vi=unit.name_vi,
            name_en=unit.name_en,
            group=unit.group_code,
        )
        for unit in sorted(units, key=lambda u: (group_order.get(u.group_code, 0), u.code))
    ]


def _published_results(group_years: list[GroupYear]) -> list[DumpPublishedResultRead]:
    return [
        DumpPublishedResultRead(
            group=group_year.group_code,
            unit=outcome.unit.code,
            index=outcome.published.index,
            rank=outcome.published.rank,
            position=outcome.published.position,
            position_code=position_code(outcome.published.position),
            band_vi=outcome.published.band_vi,
            source=outcome.published.source,
            note=outcome.published.note,
        )
        for group_year in group_years
        for outcome in group_year.outcomes
        if outcome.published is not None
    ]


def _group_summaries(rankings: list[RankingRead]) -> list[DumpGroupSummaryRead]:
    return [
        DumpGroupSummaryRead(group=ranking.group.code, **ranking.published_summary.model_dump())
        for ranking in rankings
        if ranking.published_summary is not None
    ]


def _place_code(entry: RankingEntryRead) -> str | None:
    place = entry.published.place if entry.published else None
    return place.code if place else None


def _ranking(ranking: RankingRead) -> DumpRankingRead:
    return DumpRankingRead(
        group=ranking.group.code,
        rule=ranking.rule,
        max_score=ranking.max_score,
        coverage=ranking.coverage,
        statistics=ranking.statistics,
        entries=[
            DumpRankingEntryRead(
                rank=entry.rank,
                rank_basis=entry.rank_basis,
                tie_size=entry.tie_size,
                unit=entry.unit.code,
                basis=entry.basis,
                index=entry.index,
                total=entry.total,
                max_score=entry.max_score,
                missing_leaves=entry.missing_leaves,
                band_vi=entry.band.label_vi if entry.band else None,
                band_en=entry.band.label_en if entry.band else None,
                published_index=entry.published.index if entry.published else None,
                published_rank=entry.published.rank if entry.published else None,
                published_position_code=(
                    entry.published.place.code
                    if entry.published and entry.published.place
                    else None
                ),
                rank_disagrees=entry.rank_disagrees,
                index_disagrees=entry.index_disagrees,
            )
            for entry in ranking.entries
        ],
    )
