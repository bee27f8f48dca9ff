"""Rankings of a group in a year, as JSON and as a file."""

from fastapi import APIRouter, Request, Response

from app.core.i18n import Language
from app.dependencies import (
    CriterionQuery,
    GroupPath,
    LanguageDep,
    RankingServiceDep,
    RevisionQuery,
    YearPath,
)
from app.routers.export_format import (
    SHEETS,
    ExportFormat,
    LegacyExportOptionsDep,
    SheetOptionsDep,
    deprecated_file_response,
    file_response,
)
from app.routers.json_bytes import RenderedJSON, rendered
from app.routers.responses import NOT_FOUND
from app.schemas.base import Code, CriterionCode, Year
from app.schemas.rankings import RankingRead
from app.services.exports import files as export_files
from app.services.exports import results as export_results
from app.services.results.ranking import RankingService

router = APIRouter(prefix="/years/{year}/rankings", tags=["rankings"])


@router.get(
    "/{group}",
    summary="Rank a group's units on the index, or on one criterion",
    response_model=RankingRead,
    response_class=RenderedJSON,
    responses=NOT_FOUND,
)
async def get_ranking(
    year: YearPath,
    group: GroupPath,
    service: RankingServiceDep,
    language: LanguageDep,
    request: Request,
    export: LegacyExportOptionsDep,
    criterion: CriterionQuery = None,
    revision: RevisionQuery = None,
) -> Response:
    """Every unit of the group with a result that year, in rank order.

    Ranks follow standard competition ranking on the index rounded half-up to two decimals
    (the response's `rule` states it in full), and are computed only over a complete group:
    where a source published only part of a group (`coverage.complete` false), a unit's rank
    is its published rank or null, and statistics are withheld. Each entry carries the
    previous year's result followed through unit lineage with a `reason_code`, the published
    figures and whether they disagree. A group without results that year is a 404
    (`no-results-for-group`). The same entries as CSV or XLSX: `exportRanking`.
    """
    if export.format is not ExportFormat.JSON:
        document = await ranking_document(
            service,
            year=year,
            group=group,
            criterion=criterion,
            language=language,
            revision=revision,
        )
        return deprecated_file_response(document, export, language, request)
    return rendered(
        await service.ranking_json(
            year=year, group=group, criterion=criterion, language=language, revision=revision
        ),
        language,
    )


@router.get(
    "/{group}/export",
    summary="Download a group's ranking as CSV or XLSX",
    response_class=Response,
    responses={**NOT_FOUND, **SHEETS},
)
async def export_ranking(
    year: YearPath,
    group: GroupPath,
    service: RankingServiceDep,
    language: LanguageDep,
    export: SheetOptionsDep,
    criterion: CriterionQuery = None,
    revision: RevisionQuery = None,
) -> Response:
    """The entries of `getRanking` for spreadsheets: a row per unit with its rank, index,
    previous year and published figures; XLSX adds an `about` sheet (year, revision,
    coverage, statistics)."""
    document = await ranking_document(
        service, year=year, group=group, criterion=criterion, language=language, revision=revision
    )
    return file_response(document, export, language)


async def ranking_document(
    service: RankingService,
    *,
    year: Year,
    group: Code,
    criterion: CriterionCode | None,
    language: Language,
    revision: int | None,
) -> export_files.ExportDocument:
    ranking = await service.get_ranking(
        year=year, group=group, criterion=criterion, language=language, revision=revision
    )
    return export_results.ranking_document(ranking, requested_revision=revision)
