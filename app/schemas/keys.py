"""API keys at the HTTP edge; the key itself appears only in the creation response."""

from datetime import datetime

from pydantic import Field

from app.schemas.base import ApiInput, ApiModel, with_examples
from app.schemas.vocabularies import RoleName

SOC_KEY = {
    "id": 3,
    "name": "Smart Operations Center",
    "role": "reader",
    "prefix": "par_Y3wrZw",
    "created_at": "2025-07-01T02:00:00Z",
    "last_used_at": "2025-07-01T02:05:00Z",
    "revoked_at": None,
}


class ApiKeyCreate(ApiInput):
    model_config = with_examples({"name": "Smart Operations Center", "role": "reader"})

    name: str = Field(min_length=1, max_length=255, examples=["Smart Operations Center"])
    role: RoleName = Field(
        description="reader < editor < publisher < admin; each may do all the roles below it may.",
        examples=["reader"],
    )


class ApiKeyRead(ApiModel):
    model_config = with_examples(SOC_KEY)

    id: int
    name: str
    role: RoleName
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    model_config = with_examples(
        {
            **SOC_KEY,
            "last_used_at": None,
            "key": "par_Y3wrZwUAn5VKcEy3x6ouVepBqExnK4f1yB7GbC37X_Q",
        }
    )

    key: str = Field(description="The key itself. Shown only this once; store it safely.")
