"""Liveness and readiness probe answers."""

from typing import Literal

from pydantic import BaseModel

from app.schemas.base import with_examples


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
