"""Unit groups, units and lineage."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.dependencies import (
    AdminDep,
    GroupPath,
    GroupServiceDep,
    Limit,
    Offset,
    UnitCodePath,
    UnitServiceDep,
)
from app.routers.responses import AUTH, CONFLICT, INVALID, NOT_FOUND
from app.schemas.base import Code
from app.schemas.units import (
    GroupCreate,
    GroupRead,
    GroupUpdate,
    LineageEventCreate,
    LineageEventRead,
    UnitCreate,
    UnitLineageRead,
    UnitPage,
    UnitRead,
    UnitUpdate,
)

router = APIRouter(tags=["units"])


@router.get("/groups", summary="List unit groups")
async def list_groups(
    service: GroupServiceDep,
    active_in: Annotated[
        int | None,
        Query(ge=2000, le=2100, description="Only groups ranked in this assessment year."),
    ] = None,
) -> list[GroupRead]:
    return await service.list_groups(active_in=active_in)


@router.post(
    "/groups",
    summary="Create a unit group",
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH, **INVALID, **CONFLICT},
)
async def create_group(data: GroupCreate, service: GroupServiceDep, _caller: AdminDep) -> GroupRead:
    return await service.create_group(data)


@router.patch(
    "/groups/{group}",
    summary="Rename a unit group or change its order or validity years",
    responses={**AUTH, **NOT_FOUND, **INVALID, **CONFLICT},
)
async def update_group(
    group: GroupPath, data: GroupUpdate, service: GroupServiceDep, _caller: AdminDep
) -> GroupRead:
    return await service.update_group(group, data)


@router.get("/units", summary="List and search units", responses=NOT_FOUND)
async def list_units(
    service: UnitServiceDep,
    group: Annotated[Code | None, Query(description="Only units of this group.")] = None,
    active_in: Annotated[
        int | None, Query(ge=2000, le=2100, description="Only units that existed in this year.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Search names and code, ignoring case and Vietnamese diacritics.",
            examples=["y te"],
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UnitPage:
    return await service.list_units(
        group=group, active_in=active_in, q=q, limit=limit, offset=offset
    )


@router.post(
    "/units",
    summary="Create a unit",
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH, **INVALID, **CONFLICT},
)
async def create_unit(data: UnitCreate, service: UnitServiceDep, _caller: AdminDep) -> UnitRead:
    return await service.create_unit(data)


@router.get("/units/{unit_code}", summary="Get a unit", responses=NOT_FOUND)
async def get_unit(unit_code: UnitCodePath, service: UnitServiceDep) -> UnitRead:
    return await service.get_unit(unit_code)


@router.patch(
    "/units/{unit_code}",
    summary="Update a unit",
    responses={**AUTH, **NOT_FOUND, **INVALID, **CONFLICT},
)
async def update_unit(
    unit_code: UnitCodePath, data: UnitUpdate, service: UnitServiceDep, _caller: AdminDep
) -> UnitRead:
    return await service.update_unit(unit_code, data)


@router.get(
    "/units/{unit_code}/lineage",
    summary="Get a unit's predecessors and successors",
    responses=NOT_FOUND,
)
async def get_unit_lineage(unit_code: UnitCodePath, service: UnitServiceDep) -> UnitLineageRead:
    return await service.get_lineage(unit_code)


@router.post(
    "/lineage",
    summary="Record a merge, split, rename or transfer",
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH, **INVALID, **CONFLICT},
)
async def create_lineage_event(
    data: LineageEventCreate, service: UnitServiceDep, _caller: AdminDep
) -> LineageEventRead:
    return await service.create_lineage(data)
