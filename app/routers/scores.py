"""Leaf scores of one unit-year."""

from fastapi import APIRouter

from app.dependencies import RevisionQuery, ScoreServiceDep, UnitCodePath, YearPath
from app.routers.responses import CONFLICT, INVALID, NOT_FOUND
from app.schemas.scores import ScoresPut, ScoresRead

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
    responses={**NOT_FOUND, **INVALID, **CONFLICT},
)
async def put_scores(
    year: YearPath, unit_code: UnitCodePath, data: ScoresPut, service: ScoreServiceDep
) -> ScoresRead:
    return await service.put_scores(year=year, unit_code=unit_code, data=data)
