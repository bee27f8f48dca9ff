"""API keys at the HTTP edge; the key itself appears only in the creation response."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from app.schemas.base import ApiInput, ApiModel

RoleName = Literal["reader", "editor", "publisher", "admin"]


class ApiKeyCreate(ApiInput):
    name: str = Field(min_length=1, max_length=255, examples=["Smart Operations Center"])
    role: RoleName = Field(examples=["reader"])


class ApiKeyRead(ApiModel):
    id: int
    name: str
    role: RoleName
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself. Shown only this once; store it safely.")
