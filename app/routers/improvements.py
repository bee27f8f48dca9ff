"""Improvement lists: a unit's weakest criteria, a group's lowest units and criteria, as JSON
and as files."""

from fastapi import APIRouter, Request, Response

from app.dependencies import (
    GroupPath,
    ImprovementServiceDep,
    LanguageDep,
    RevisionQuery,
    TopN,
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
from app.routers.responses import NOT_FOUND
from app.schemas.improvements import GroupImprovementsRead, UnitImprovementsRead
from app.services.exports import results as export_results

router = APIRouter(tags=["improvements"])

UNIT_IMPROVEMENTS = "/years/{year}/units/{unit_code}/improvements"
GROUP_IMPROVEMENTS = "/years/{year}/improvements/{group}"


@router.get(
    UNIT_IMPROVEMENTS,
    summary="A unit's lowest-scoring criteria and the points it needs for the next rank",
    response_model=UnitImprovementsRead,
    responses=NOT_FOUND,
)
async def get_unit_improvements(
    year: YearPath,
    unit_code: UnitCodePath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    request: Request,
    export: LegacyExportOptionsDep,
    limit: TopN = 10,
    revision: RevisionQuery = None,
) -> UnitImprovementsRead | Response:
    """The unit's leaves by points lost, and the smallest gain that raises its rank (with the
    gain to pass the unit above), offered only where ranks are computed over a complete group.
    The same list as CSV or XLSX: `exportUnitImprovements`."""
    improvements = await service.unit_improvements(
        year=year, unit_code=unit_code, limit=limit, language=language, revision=revision
    )
    if export.format is ExportFormat.JSON:
        return improvements
    document = export_results.unit_improvements_document(improvements, requested_revision=revision)
    return deprecated_file_response(document, export, language, request)


@router.get(
    UNIT_IMPROVEMENTS + "/export",
    summary="Download a unit's improvement list as CSV or XLSX",
    response_class=Response,
    responses={**NOT_FOUND, **SHEETS},
)
async def export_unit_improvements(
    year: YearPath,
    unit_code: UnitCodePath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    export: SheetOptionsDep,
    limit: TopN = 10,
    revision: RevisionQuery = None,
) -> Response:
    """The leaves of `getUnitImprovements` for spreadsheets; XLSX adds an `about` sheet with
    the points needed for the next rank."""
    improvements = await service.unit_improvements(
        year=year, unit_code=unit_code, limit=limit, language=language, revision=revision
    )
    document = export_results.unit_improvements_document(improvements, requested_revision=revision)
    return file_response(document, export, language)


@router.get(
    GROUP_IMPROVEMENTS,
    summary="A group's lowest units and the criteria weakest across it",
    response_model=GroupImprovementsRead,
    responses=NOT_FOUND,
)
async def get_group_improvements(
    year: YearPath,
    group: GroupPath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    request: Request,
    export: LegacyExportOptionsDep,
    limit: TopN = 3,
    revision: RevisionQuery = None,
) -> GroupImprovementsRead | Response:
    """The lowest units and the weakest criteria, listed only for a complete group (`coverage`):
    the lowest of a partly published list are not the group's. A group without results that
    year is a 404 (`no-results-for-group`). The same lists as CSV or XLSX:
    `exportGroupImprovements`."""
    improvements = await service.group_improvements(
        year=year, group=group, limit=limit, language=language, revision=revision
    )
    if export.format is ExportFormat.JSON:
        return improvements
    document = export_results.group_improvements_document(improvements, requested_revision=revision)
    return deprecated_file_response(document, export, language, request)


@router.get(
    GROUP_IMPROVEMENTS + "/export",
    summary="Download a group's lowest units and weakest criteria as CSV or XLSX",
    response_class=Response,
    responses={**NOT_FOUND, **SHEETS},
)
async def export_group_improvements(
    year: YearPath,
    group: GroupPath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    export: SheetOptionsDep,
    limit: TopN = 3,
    revision: RevisionQuery = None,
) -> Response:
    """The lists of `getGroupImprovements` for spreadsheets (CSV: the lowest units; XLSX:
    `lowest_units`, `weakest_criteria` and `about` sheets)."""
    improvements = await service.group_improvements(
        year=year, group=group, limit=limit, language=language, revision=revision
    )
    document = export_results.group_improvements_document(improvements, requested_revision=revision)
    return file_response(document, export, language)
