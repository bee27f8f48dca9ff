"""Publishing a year, its revisions, and the audit trail."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.dependencies import (
    NOT_CACHED,
    AuditServiceDep,
    EditorDep,
    Limit,
    Offset,
    PublicationServiceDep,
    PublisherDep,
    YearPath,
)
from app.routers.responses import AUTH, CONFLICT, NOT_FOUND
from app.schemas.audit import AuditEventPage, PublishRequest, YearRevisionRead
from app.schemas.base import Code
from app.schemas.years import YearRead

router = APIRouter(tags=["publication"])


@router.post(
    "/years/{year}/publish",
    summary="Publish a year: its figures become frozen revision 1",
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
async def publish_year(
    year: YearPath,
    service: PublicationServiceDep,
    _caller: PublisherDep,
    data: PublishRequest | None = None,
) -> YearRead:
    """After publication every change to the year's criteria or scores must carry a
    `correction_reason`; each correction opens a new revision and the earlier ones stay
    retrievable with `?revision=N`."""
    return await service.publish(year=year, data=data or PublishRequest())


@router.get(
    "/years/{year}/revisions",
    summary="List a year's published revisions, oldest first",
    responses=NOT_FOUND,
)
async def list_year_revisions(
    year: YearPath, service: PublicationServiceDep
) -> list[YearRevisionRead]:
    return await service.list_revisions(year)


@router.get(
    "/audit",
    summary="List the audit trail, newest first",
    tags=["audit"],
    responses=AUTH,
    dependencies=NOT_CACHED,
)
async def list_audit_events(
    service: AuditServiceDep,
    _caller: EditorDep,
    unit: Annotated[Code | None, Query(description="Only events about this unit code.")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Only this year.")] = None,
    entity: Annotated[
        str | None,
        Query(
            max_length=32,
            description="group, unit, lineage, year, criteria_set, scores, import or dataset.",
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AuditEventPage:
    return await service.list_events(
        unit_code=unit, year=year, entity=entity, limit=limit, offset=offset
    )
