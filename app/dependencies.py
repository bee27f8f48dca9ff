"""Annotated dependency aliases: services per request, and shared query parameters."""

from typing import Annotated

from fastapi import Depends, Path, Query

from app.db import SessionDep
from app.schemas.base import Code, CriterionCode
from app.services.criteria import CriteriaService
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


UnitServiceDep = Annotated[UnitService, Depends(get_unit_service)]
YearServiceDep = Annotated[YearService, Depends(get_year_service)]
CriteriaServiceDep = Annotated[CriteriaService, Depends(get_criteria_service)]
ScoreServiceDep = Annotated[ScoreService, Depends(get_score_service)]

YearPath = Annotated[int, Path(ge=2000, le=2100, description="Assessment year.", examples=[2024])]
GroupPath = Annotated[Code, Path(description="Unit group code.", examples=["department"])]
UnitCodePath = Annotated[Code, Path(description="Unit code.", examples=["LD-DEP-HEALTH"])]
CriterionQuery = Annotated[CriterionCode | None, Query(description="Criterion code.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
