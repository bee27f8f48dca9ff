"""A unit's results across years."""

from fastapi import APIRouter

from app.dependencies import HistoryServiceDep, LanguageDep, UnitCodePath
from app.routers.responses import NOT_FOUND
from app.schemas.history import HistoryRead

router = APIRouter(tags=["history"])


@router.get(
    "/units/{unit_code}/history",
    summary="Index, rank and band for every year, predecessors included",
    responses=NOT_FOUND,
)
async def get_unit_history(
    unit_code: UnitCodePath, service: HistoryServiceDep, language: LanguageDep
) -> HistoryRead:
    return await service.get_history(unit_code=unit_code, language=language)
