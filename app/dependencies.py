"""Annotated dependency aliases: services per request, and shared query parameters."""

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from app.db import SessionDep
from app.i18n import Language, preferred_language
from app.schemas.base import Code, CriterionCode
from app.services.audit import AuditService
from app.services.breakdown import BreakdownService
from app.services.criteria import CriteriaService
from app.services.history import HistoryService
from app.services.improvement import ImprovementService
from app.services.publication import PublicationService
from app.services.ranking import RankingService
from app.services.result_cache import ResultCache
from app.services.scores import ScoreService
from app.services.units import UnitService
from app.services.years import YearService


def get_unit_service(session: SessionDep) -> UnitService:
    return UnitService(session)


def get_year_service(session: SessionDep) -> YearService:
    return YearService(session)


def get_criteria_service(session: SessionDep) -> CriteriaService:
    return CriteriaService(session)


def get_score_service(session: SessionDep) -> ScoreService:
    return ScoreService(session)


def get_result_cache(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


ResultCacheDep = Annotated[ResultCache, Depends(get_result_cache)]


def get_ranking_service(session: SessionDep, cache: ResultCacheDep) -> RankingService:
    return RankingService(session, cache)


def get_breakdown_service(session: SessionDep, cache: ResultCacheDep) -> BreakdownService:
    return BreakdownService(session, cache)


def get_improvement_service(session: SessionDep, cache: ResultCacheDep) -> ImprovementService:
    return ImprovementService(session, cache)


def get_history_service(session: SessionDep, cache: ResultCacheDep) -> HistoryService:
    return HistoryService(session, cache)


BreakdownServiceDep = Annotated[BreakdownService, Depends(get_breakdown_service)]
ImprovementServiceDep = Annotated[ImprovementService, Depends(get_improvement_service)]
HistoryServiceDep = Annotated[HistoryService, Depends(get_history_service)]


def get_language(
    accept_language: Annotated[
        str | None,
        Header(description="`vi` or `en` chooses the primary label (`name`); default `vi`."),
    ] = None,
) -> Language:
    return preferred_language(accept_language)


LanguageDep = Annotated[Language, Depends(get_language)]
RankingServiceDep = Annotated[RankingService, Depends(get_ranking_service)]


def get_publication_service(session: SessionDep) -> PublicationService:
    return PublicationService(session)


def get_audit_service(session: SessionDep) -> AuditService:
    return AuditService(session)


PublicationServiceDep = Annotated[PublicationService, Depends(get_publication_service)]
AuditServiceDep = Annotated[AuditService, Depends(get_audit_service)]
UnitServiceDep = Annotated[UnitService, Depends(get_unit_service)]
YearServiceDep = Annotated[YearService, Depends(get_year_service)]
CriteriaServiceDep = Annotated[CriteriaService, Depends(get_criteria_service)]
ScoreServiceDep = Annotated[ScoreService, Depends(get_score_service)]

YearPath = Annotated[int, Path(ge=2000, le=2100, description="Assessment year.", examples=[2024])]
GroupPath = Annotated[Code, Path(description="Unit group code.", examples=["department"])]
UnitCodePath = Annotated[Code, Path(description="Unit code.", examples=["LD-DEP-HEALTH"])]
RevisionQuery = Annotated[
    int | None,
    Query(
        ge=1,
        description="Published revision to show (1 = as published, then one per correction); "
        "default: the latest.",
    ),
]
CriterionQuery = Annotated[CriterionCode | None, Query(description="Criterion code.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
TopN = Annotated[int, Query(ge=1, le=100, description="How many to list.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
