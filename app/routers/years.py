"""Assessment years."""

from fastapi import APIRouter, status

from app.dependencies import AdminDep, YearGroupsServiceDep, YearPath, YearServiceDep
from app.routers.responses import AUTH, CONFLICT, INVALID, NOT_FOUND
from app.schemas.coverage import YearCoverageRead
from app.schemas.years import YearCreate, YearRead

router = APIRouter(prefix="/years", tags=["years"])


@router.get("", summary="List assessment years, newest first, with their groups' coverage")
async def list_years(service: YearGroupsServiceDep) -> list[YearCoverageRead]:
    """Each year lists the groups with results that year and how complete they are: whether
    ranks and statistics are computed over the whole group, or only what was published."""
    return await service.list_years()


@router.post(
    "",
    summary="Create an assessment year (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH, **INVALID, **CONFLICT},
)
async def create_year(data: YearCreate, service: YearServiceDep, _caller: AdminDep) -> YearRead:
    return await service.create_year(data)


@router.get(
    "/{year}",
    summary="Get an assessment year with its groups' coverage",
    responses=NOT_FOUND,
)
async def get_year(year: YearPath, service: YearGroupsServiceDep) -> YearCoverageRead:
    return await service.get_year(year)
