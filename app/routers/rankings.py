"""Rankings of a group in a year."""

from fastapi import APIRouter, Response

from app.dependencies import (
    CriterionQuery,
    GroupPath,
    LanguageDep,
    RankingServiceDep,
    RevisionQuery,
    YearPath,
)
from app.routers.export_format import EXPORTABLE, ExportFormat, ExportOptionsDep, file_response
from app.routers.json_bytes import RenderedJSON, rendered
from app.routers.responses import NOT_FOUND
from app.schemas.rankings import RankingRead
from app.services.exports import results as export_results

router = APIRouter(prefix="/years/{year}/rankings", tags=["rankings"])


@router.get(
    "/{group}",
    summary="Rank a group's units on the index, or on one criterion",
    response_model=RankingRead,
    response_class=RenderedJSON,
    responses={**NOT_FOUND, **EXPORTABLE},
)
async def get_ranking(
    year: YearPath,
    group: GroupPath,
    service: RankingServiceDep,
    language: LanguageDep,
    export: ExportOptionsDep,
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
    (`no-results-for-group`). `?format=csv|xlsx` (or Accept) gives the entries as a file for
    spreadsheets.
    """
    if export.format is not ExportFormat.JSON:
        ranking = await service.get_ranking(
            year=year, group=group, criterion=criterion, language=language, revision=revision
        )
        document = export_results.ranking_document(ranking, requested_revision=revision)
        return file_response(document, export, language)
    return rendered(
        await service.ranking_json(
            year=year, group=group, criterion=criterion, language=language, revision=revision
        ),
        language,
    )
