"""Liveness and readiness probes."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.errors import ServiceError
from app.core.migrations import database_heads
from app.routers.responses import problem
from app.schemas.base import with_examples

router = APIRouter(tags=["health"])


class NotReady(ServiceError):
    status = 503
    title = "Not ready"
    slug = "not-ready"


class HealthRead(BaseModel):
    model_config = with_examples({"status": "ok"})

    status: Literal["ok"]


class ReadinessRead(BaseModel):
    model_config = with_examples(
        {"status": "ready", "database": "reachable", "migrations": "at head"}
    )

    status: Literal["ready"]
    database: Literal["reachable"]
    migrations: Literal["at head"]


@router.get("/healthz", summary="Liveness: the process answers")
async def get_health() -> HealthRead:
    return HealthRead(status="ok")


@router.get(
    "/readyz",
    summary="Readiness: the database answers and its schema is at the latest migration",
    responses={503: problem("The database is unreachable or not migrated.")},
)
async def get_readiness(request: Request) -> ReadinessRead:
    engine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await database_heads(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise NotReady(f"Database unreachable ({type(exc).__name__}).") from exc
    if current != request.app.state.migration_heads:
        raise NotReady("The database schema is not at the latest migration; run the migrations.")
    return ReadinessRead(status="ready", database="reachable", migrations="at head")
