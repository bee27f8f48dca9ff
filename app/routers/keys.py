"""API keys (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.dependencies import NOT_CACHED, AdminDep, ApiKeyServiceDep
from app.routers.responses import AUTH, INVALID, NOT_FOUND
from app.schemas.base import DB_INT_MAX
from app.schemas.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyRead

router = APIRouter(prefix="/keys", tags=["keys"], responses=AUTH, dependencies=NOT_CACHED)

KeyIdPath = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="API key id (see GET /keys).")]


@router.post(
    "",
    summary="Create an API key (the key is shown only in this response)",
    status_code=status.HTTP_201_CREATED,
    responses=INVALID,
)
async def create_api_key(
    data: ApiKeyCreate, service: ApiKeyServiceDep, caller: AdminDep
) -> ApiKeyCreated:
    return await service.create_key(data, actor=caller.actor)


@router.get("", summary="List API keys (never the keys themselves)")
async def list_api_keys(service: ApiKeyServiceDep, _caller: AdminDep) -> list[ApiKeyRead]:
    return await service.list_keys()


@router.delete(
    "/{key_id}", summary="Revoke an API key; it is refused from the next call", responses=NOT_FOUND
)
async def revoke_api_key(
    key_id: KeyIdPath, service: ApiKeyServiceDep, caller: AdminDep
) -> ApiKeyRead:
    return await service.revoke_key(key_id, actor=caller.actor)
