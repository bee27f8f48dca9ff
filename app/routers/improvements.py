"""Improvement lists: a unit's weakest criteria, a group's lowest units and criteria."""

from fastapi import APIRouter, Response

from app.dependencies import (
    GroupPath,
    ImprovementServiceDep,
    LanguageDep,
    RevisionQuery,
    TopN,
    UnitCodePath,
    YearPath,
)
from app.routers.export_format import EXPORTABLE, ExportFormat, ExportOptionsDep, file_response
from app.routers.responses import NOT_FOUND
from app.schemas.improvements import GroupImprovementsRead, UnitImprovementsRead
from app.services.exports import results as export_results

router = APIRouter(tags=["improvements"])


@router.get(
    "/years/{year}/units/{unit_code}/improvements",
    summary="A unit's lowest-scoring criteria and the points it needs for the next rank",
    response_model=UnitImprovementsRead,
    responses={**NOT_FOUND, **EXPORTABLE},
)
async def get_unit_improvements(
    year: YearPath,
    unit_code: UnitCodePath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    export: ExportOptionsDep,
    limit: TopN = 10,
    revision: RevisionQuery = None,
) -> UnitImprovementsRead | Response:
    """The unit's leaves by points lost, and the smallest gain that raises its rank (with the
    gain to pass the unit above), offered only where ranks are computed over a complete group.
    """
    improvements = await service.unit_improvements(
        year=year, unit_code=unit_code, limit=limit, language=language, revision=revision
    )
    if export.format is not ExportFormat.JSON:
        document = export_results.unit_improvements_document(
            improvements, requested_revision=revision
        )
        return file_response(document, export, language)
    return improvements


@router.get(
    "/years/{year}/improvements/{group}",
    summary="A group's lowest units and the criteria weakest across it",
    response_model=GroupImprovementsRead,
    responses={**NOT_FOUND, **EXPORTABLE},
)
async def get_group_improvements(
    year: YearPath,
    group: GroupPath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    export: ExportOptionsDep,
    limit: TopN = 3,
    revision: RevisionQuery = None,
) -> GroupImprovementsRead | Response:
    """The lowest units and the weakest criteria, listed only for a complete group (`coverage`):
    the lowest of a partly published list are not the group's. A group without results that
    year is a 404 (`no-results-for-group`)."""
    improvements = await service.group_improvements(
        year=year, group=group, limit=limit, language=language, revision=revision
    )
    if export.format is not ExportFormat.JSON:
        document = export_results.group_improvements_document(
            improvements, requested_revision=revision
        )
        return file_response(document, export, language)
    return improvements
