"""Webhooks and their deliveries at the HTTP edge; the secret appears only at creation."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, Field, UrlConstraints

from app.schemas.base import ApiInput, ApiModel

EventType = Literal["year.published", "year.corrected"]
DeliveryStatus = Literal["pending", "delivered", "failed"]
# http or https only, with a host, and no longer than the column.
ReceiverUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=2000, host_required=True)]


class WebhookCreate(ApiInput):
    url: ReceiverUrl = Field(examples=["https://portal.example/hooks/par-index"])
    description: str | None = Field(default=None, max_length=2000)
    events: list[EventType] = Field(
        default=["year.published", "year.corrected"],
        min_length=1,
        description="Events to send; both by default.",
    )


class WebhookRead(ApiModel):
    id: int
    url: str
    description: str | None
    events: list[EventType]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="Signs every delivery (X-PAR-Signature). Shown only this once; the receiver "
        "keeps it to verify that deliveries come from this service."
    )


class WebhookDeliveryRead(ApiModel):
    id: int
    event_id: str = Field(description="Same as X-PAR-Delivery and the payload's `id`.")
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime = Field(description="When a pending delivery is tried next.")
    last_status_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None = Field(description="Why the last attempt failed, shortened.")
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]
