"""Liveness and readiness probes."""

from fastapi import APIRouter

from app.dependencies import ReadinessServiceDep
from app.routers.responses import problem
from app.schemas.health import HealthRead, ReadinessRead

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
async def get_health() -> HealthRead:
    return HealthRead(status="ok")


@router.get(
    "/readyz",
    summary="Readiness: the database answers and its schema is at the latest migration",
    responses={503: problem("The database is unreachable or not migrated.")},
)
async def get_readiness(service: ReadinessServiceDep) -> ReadinessRead:
    return await service.check()
