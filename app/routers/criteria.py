"""Criteria sets per (year, group)."""

from fastapi import APIRouter

from app.dependencies import AdminDep, CriteriaServiceDep, GroupPath, RevisionQuery, YearPath
from app.routers.responses import AUTH, CONFLICT, INVALID, NOT_FOUND
from app.schemas.criteria import CriteriaSetPut, CriteriaSetRead

router = APIRouter(prefix="/years/{year}/criteria", tags=["criteria"])


@router.get("/{group}", summary="Get the criteria tree and bands", responses=NOT_FOUND)
async def get_criteria_set(
    year: YearPath, group: GroupPath, service: CriteriaServiceDep, revision: RevisionQuery = None
) -> CriteriaSetRead:
    return await service.get_criteria_set(year=year, group=group, revision=revision)


@router.put(
    "/{group}",
    summary="Replace the criteria tree and bands (all or nothing)",
    responses={**AUTH, **NOT_FOUND, **INVALID, **CONFLICT},
)
async def put_criteria_set(
    year: YearPath,
    group: GroupPath,
    data: CriteriaSetPut,
    service: CriteriaServiceDep,
    _caller: AdminDep,
) -> CriteriaSetRead:
    return await service.put_criteria_set(year=year, group=group, data=data)
