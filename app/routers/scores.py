"""Leaf scores of one unit-year."""

from fastapi import APIRouter

from app.dependencies import EditorDep, RevisionQuery, ScoreServiceDep, UnitCodePath, YearPath
from app.routers.responses import AUTH, CONFLICT, INVALID, NOT_FOUND
from app.schemas.scores import ScoresPut, ScoresRead
from app.services.access.principal import Role, check_role

router = APIRouter(prefix="/years/{year}/units/{unit_code}/scores", tags=["scores"])


@router.get("", summary="Get a unit's leaf scores for a year", responses=NOT_FOUND)
async def get_scores(
    year: YearPath,
    unit_code: UnitCodePath,
    service: ScoreServiceDep,
    revision: RevisionQuery = None,
) -> ScoresRead:
    return await service.get_scores(year=year, unit_code=unit_code, revision=revision)


@router.put(
    "",
    summary="Replace a unit's leaf scores for a year (all or nothing)",
    responses={**AUTH, **NOT_FOUND, **INVALID, **CONFLICT},
)
async def put_scores(
    year: YearPath,
    unit_code: UnitCodePath,
    data: ScoresPut,
    service: ScoreServiceDep,
    caller: EditorDep,
) -> ScoresRead:
    """Editors change draft years; a correction of a published year needs the publisher role."""
    if data.correction_reason:
        check_role(caller, Role.PUBLISHER)
    return await service.put_scores(year=year, unit_code=unit_code, data=data)
