"""Audit events, publication and revisions at the HTTP edge."""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from app.schemas.base import ApiInput, ApiModel


class AuditEventRead(ApiModel):
    id: int
    at: datetime
    actor: str | None
    action: str
    entity: str
    entity_key: str
    year: int | None
    unit_code: str | None
    before: Any
    after: Any
    reason: str | None


class PublishRequest(ApiInput):
    legal_basis: str | None = Field(
        default=None, max_length=2000, description="Decision that approves the results."
    )
    note: str | None = Field(default=None, max_length=2000)


class YearRevisionRead(ApiModel):
    number: int
    kind: Literal["publish", "correction"]
    reason: str | None
    actor: str | None
    created_at: datetime
