"""A unit's per-criterion breakdown."""

from fastapi import APIRouter

from app.dependencies import (
    BreakdownServiceDep,
    LanguageDep,
    RevisionQuery,
    UnitCodePath,
    YearPath,
)
from app.routers.json_bytes import RenderedJSON, rendered
from app.routers.responses import NOT_FOUND
from app.schemas.results import BreakdownRead

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
    revision: RevisionQuery = None,
) -> RenderedJSON:
    """Per node: score, max, attainment, points lost, group mean and best, and the unit's
    rank on that node. Total and index equal the ranking's. 404 when the unit has no leaf
    scores that year (only published totals)."""
    return rendered(
        await service.breakdown_json(
            year=year, unit_code=unit_code, language=language, revision=revision
        ),
        language,
    )
