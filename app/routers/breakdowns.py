"""A unit's per-criterion breakdown."""

from fastapi import APIRouter, Response

from app.dependencies import (
    BreakdownServiceDep,
    LanguageDep,
    RevisionQuery,
    UnitCodePath,
    YearPath,
)
from app.routers.export_format import EXPORTABLE, ExportFormat, ExportOptionsDep, file_response
from app.routers.json_bytes import RenderedJSON, rendered
from app.routers.responses import NOT_FOUND
from app.schemas.breakdowns import BreakdownRead
from app.services.exports import results as export_results

router = APIRouter(tags=["breakdowns"])


@router.get(
    "/years/{year}/units/{unit_code}/breakdown",
    summary="A unit's criteria tree with group mean, best and rank per node",
    response_model=BreakdownRead,
    response_class=RenderedJSON,
    responses={**NOT_FOUND, **EXPORTABLE},
)
async def get_breakdown(
    year: YearPath,
    unit_code: UnitCodePath,
    service: BreakdownServiceDep,
    language: LanguageDep,
    export: ExportOptionsDep,
    revision: RevisionQuery = None,
) -> Response:
    """Per node: score, max, attainment, points lost, group mean and best, and the unit's
    rank on that node. Total and index equal the ranking's. 404 when the unit has no leaf
    scores that year (only published totals). `?format=csv|xlsx` (or Accept) gives a file."""
    if export.format is not ExportFormat.JSON:
        breakdown = await service.get_breakdown(
            year=year, unit_code=unit_code, language=language, revision=revision
        )
        document = export_results.breakdown_document(breakdown, requested_revision=revision)
        return file_response(document, export, language)
    return rendered(
        await service.breakdown_json(
            year=year, unit_code=unit_code, language=language, revision=revision
        ),
        language,
    )
