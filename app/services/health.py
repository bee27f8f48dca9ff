"""Readiness: the database answers and its schema is at the migration this code expects."""

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.errors import ServiceError
from app.core.messages import message
from app.repositories.health import HealthRepository
from app.schemas.health import ReadinessRead


class NotReady(ServiceError):
    status = 503
    slug = "not-ready"


class ReadinessService:
    """Checked on its own connection, not a request session: a probe must say "unreachable"
    rather than fail inside the session machinery of the request it answers."""

    def __init__(self, engine: AsyncEngine, *, expected_heads: set[str]) -> None:
        self.engine = engine
        self.expected_heads = expected_heads

    async def check(self) -> ReadinessRead:
        try:
            async with self.engine.connect() as connection:
                repository = HealthRepository(connection)
                await repository.ping()
                current = await repository.migration_heads()
        except (SQLAlchemyError, OSError) as exc:
            raise NotReady(message("health.unreachable", error=type(exc).__name__)) from exc
        if current != self.expected_heads:
            raise NotReady(message("health.not-migrated"))
        return ReadinessRead(status="ready", database="reachable", migrations="at head")
