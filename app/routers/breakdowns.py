"""A unit's per-criterion breakdown, as JSON and as a file."""

from fastapi import APIRouter, Request, Response

from app.core.i18n import Language
from app.dependencies import (
    BreakdownServiceDep,
    LanguageDep,
    RevisionQuery,
    UnitCodePath,
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
from app.schemas.base import Code, Year
from app.schemas.breakdowns import BreakdownRead
from app.services.exports import files as export_files
from app.services.exports import results as export_results
from app.services.results.breakdown import BreakdownService

router = APIRouter(tags=["breakdowns"])


@router.get(
    "/years/{year}/units/{unit_code}/breakdown",
    summary="A unit's criteria tree with group mean, best and rank per node",
    response_model=BreakdownRead,
    response_class=RenderedJSON,
    responses=NOT_FOUND,
)
async def get_breakdown(
    year: YearPath,
    unit_code: UnitCodePath,
    service: BreakdownServiceDep,
    language: LanguageDep,
    request: Request,
    export: LegacyExportOptionsDep,
    revision: RevisionQuery = None,
) -> Response:
    """Per node: score, max, attainment, points lost, group mean and best, and the unit's
    rank on that node. Total and index equal the ranking's. 404 when the unit has no leaf
    scores that year (only published totals). The same nodes as CSV or XLSX: `exportBreakdown`."""
    if export.format is not ExportFormat.JSON:
        document = await breakdown_document(
            service, year=year, unit_code=unit_code, language=language, revision=revision
        )
        return deprecated_file_response(document, export, language, request)
    return rendered(
        await service.breakdown_json(
            year=year, unit_code=unit_code, language=language, revision=revision
        ),
        language,
    )


@router.get(
    "/years/{year}/units/{unit_code}/breakdown/export",
    summary="Download a unit's breakdown as CSV or XLSX",
    response_class=Response,
    responses={**NOT_FOUND, **SHEETS},
)
async def export_breakdown(
    year: YearPath,
    unit_code: UnitCodePath,
    service: BreakdownServiceDep,
    language: LanguageDep,
    export: SheetOptionsDep,
    revision: RevisionQuery = None,
) -> Response:
    """The nodes of `getBreakdown` for spreadsheets, a row per field, criterion and leaf;
    XLSX adds an `about` sheet."""
    document = await breakdown_document(
        service, year=year, unit_code=unit_code, language=language, revision=revision
    )
    return file_response(document, export, language)


async def breakdown_document(
    service: BreakdownService,
    *,
    year: Year,
    unit_code: Code,
    language: Language,
    revision: int | None,
) -> export_files.ExportDocument:
    breakdown = await service.get_breakdown(
        year=year, unit_code=unit_code, language=language, revision=revision
    )
    return export_results.breakdown_document(breakdown, requested_revision=revision)
