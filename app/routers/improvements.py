"""Improvement lists: a unit's weakest criteria, a group's lowest units and criteria."""

from fastapi import APIRouter

from app.dependencies import (
    GroupPath,
    ImprovementServiceDep,
    LanguageDep,
    RevisionQuery,
    TopN,
    UnitCodePath,
    YearPath,
)
from app.routers.responses import NOT_FOUND
from app.schemas.results import GroupImprovementsRead, UnitImprovementsRead

router = APIRouter(tags=["improvements"])


@router.get(
    "/years/{year}/units/{unit_code}/improvements",
    summary="A unit's lowest-scoring criteria and the points it needs for the next rank",
    responses=NOT_FOUND,
)
async def get_unit_improvements(
    year: YearPath,
    unit_code: UnitCodePath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    limit: TopN = 10,
    revision: RevisionQuery = None,
) -> UnitImprovementsRead:
    return await service.unit_improvements(
        year=year, unit_code=unit_code, limit=limit, language=language, revision=revision
    )


@router.get(
    "/years/{year}/improvements/{group}",
    summary="A group's lowest units and the criteria weakest across it",
    responses=NOT_FOUND,
)
async def get_group_improvements(
    year: YearPath,
    group: GroupPath,
    service: ImprovementServiceDep,
    language: LanguageDep,
    limit: TopN = 3,
) -> GroupImprovementsRead:
    return await service.group_improvements(year=year, group=group, limit=limit, language=language)
