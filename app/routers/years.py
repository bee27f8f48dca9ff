"""Assessment years."""

from fastapi import APIRouter, status

from app.dependencies import AdminDep, YearPath, YearServiceDep
from app.routers.responses import AUTH, CONFLICT, INVALID, NOT_FOUND
from app.schemas.years import YearCreate, YearRead

router = APIRouter(prefix="/years", tags=["years"])


@router.get("", summary="List assessment years, newest first")
async def list_years(service: YearServiceDep) -> list[YearRead]:
    return await service.list_years()


@router.post(
    "",
    summary="Create an assessment year (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH, **INVALID, **CONFLICT},
)
async def create_year(data: YearCreate, service: YearServiceDep, _caller: AdminDep) -> YearRead:
    return await service.create_year(data)


@router.get("/{year}", summary="Get an assessment year", responses=NOT_FOUND)
async def get_year(year: YearPath, service: YearServiceDep) -> YearRead:
    return await service.get_year(year)
