"""Webhooks and their deliveries at the HTTP edge; the secret appears only at creation."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AnyHttpUrl, Field, UrlConstraints

from app.schemas.base import ApiInput, ApiModel, Page, with_examples
from app.schemas.vocabularies import DeliveryStatus, WebhookEvent

# http or https only, with a host, and no longer than the column.
ReceiverUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=2000, host_required=True)]
PORTAL_HOOK = {
    "id": 1,
    "url": "https://portal.example/hooks/par-index",
    "description": "Provincial e-government portal",
    "events": ["year.published", "year.corrected"],
    "active": True,
    "created_at": "2025-06-01T01:00:00Z",
}


class WebhookCreate(ApiInput):
    model_config = with_examples(
        {
            "url": "https://portal.example/hooks/par-index",
            "description": "Provincial e-government portal",
            "events": ["year.published", "year.corrected"],
        }
    )

    url: ReceiverUrl = Field(examples=["https://portal.example/hooks/par-index"])
    description: str | None = Field(default=None, max_length=2000)
    events: list[WebhookEvent] = Field(
        default=["year.published", "year.corrected"],
        min_length=1,
        description="Events to send; both by default.",
    )


class WebhookRead(ApiModel):
    model_config = with_examples(PORTAL_HOOK)

    id: int
    url: str
    description: str | None
    events: list[WebhookEvent]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    model_config = with_examples(
        {**PORTAL_HOOK, "secret": "whsec__4ACs9o6Qng4qVV4rXCygMM_UMLxd95LdzAM2dP7YyQ"}
    )

    secret: str = Field(
        description="Signs every delivery (X-PAR-Signature). Shown only this once; the receiver "
        "keeps it to verify that deliveries come from this service."
    )


class WebhookDeliveryRead(ApiModel):
    model_config = with_examples(
        {
            "id": 7,
            "event_id": "5b0c1f0e-3c1e-4d59-9a57-0d8f2b1f6a10",
            "event_type": "year.corrected",
            "status": "delivered",
            "attempts": 1,
            "next_attempt_at": "2026-06-30T08:00:00Z",
            "last_status_code": 204,
            "last_error": None,
            "created_at": "2026-06-30T08:00:00Z",
            "delivered_at": "2026-06-30T08:00:01Z",
            "payload": {
                "id": "5b0c1f0e-3c1e-4d59-9a57-0d8f2b1f6a10",
                "type": "year.corrected",
                "occurred_at": "2026-06-30T08:00:00+00:00",
                "year": 2024,
                "revision": 2,
                "reason": "Appeal upheld",
                "links": {
                    "year": "/api/v1/years/2024",
                    "revisions": "/api/v1/years/2024/revisions",
                    "ranking": "/api/v1/years/2024/rankings/{group}?revision=2",
                    "dump": "/api/v1/years/2024/dump?revision=2",
                },
            },
        }
    )

    id: int
    event_id: str = Field(description="Same as X-PAR-Delivery and the payload's `id`.")
    event_type: WebhookEvent
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime = Field(description="When a pending delivery is tried next.")
    last_status_code: int | None = Field(description="The receiver's last HTTP status.")
    last_error: str | None = Field(description="Why the last attempt failed, shortened.")
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


class WebhookDeliveryPage(Page[WebhookDeliveryRead]):
    """A page of a webhook's deliveries, newest first."""
