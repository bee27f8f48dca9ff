"""Rankings of a group in a year."""

from fastapi import APIRouter

from app.dependencies import (
    CriterionQuery,
    GroupPath,
    LanguageDep,
    RankingServiceDep,
    RevisionQuery,
    YearPath,
)
from app.routers.json_bytes import RenderedJSON, rendered
from app.routers.responses import NOT_FOUND
from app.schemas.results import RankingRead

router = APIRouter(prefix="/years/{year}/rankings", tags=["rankings"])


@router.get(
    "/{group}",
    summary="Rank a group's units on the index, or on one criterion",
    response_model=RankingRead,
    response_class=RenderedJSON,
    responses=NOT_FOUND,
)
async def get_ranking(
    year: YearPath,
    group: GroupPath,
    service: RankingServiceDep,
    language: LanguageDep,
    criterion: CriterionQuery = None,
    revision: RevisionQuery = None,
) -> RenderedJSON:
    """Every unit of the group with a result that year, in rank order.

    Ranks follow standard competition ranking on the index rounded half-up to two decimals
    (the response's `rule` states it in full). Each entry carries the previous year's result
    followed through unit lineage, the published figures and whether they disagree.
    """
    return rendered(
        await service.ranking_json(
            year=year, group=group, criterion=criterion, language=language, revision=revision
        ),
        language,
    )
