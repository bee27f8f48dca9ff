"""Webhooks: subscriptions kept by admins, and the outbox that records events with the write.

An event is one JSON document, the same for every receiver and every retry:

    {"id": "<uuid>", "type": "year.published" | "year.corrected",
     "occurred_at": "2026-11-26T09:55:51.126545+00:00", "year": 2024, "revision": 1,
     "reason": null | "<the correction's reason>",
     "links": {"year": "/api/v1/years/2024", "revisions": "/api/v1/years/2024/revisions",
               "ranking": "/api/v1/years/2024/rankings/{group}?revision=1",
               "dump": "/api/v1/years/2024/dump?revision=1"}}

Links are paths under the API's own origin and pinned to the event's revision, so what a
receiver fetches later is exactly what the event announced (`{group}` is a URI template).
"""

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.core.messages import message
from app.models import AssessmentYear, Webhook, WebhookDelivery
from app.repositories.webhooks import WebhookRepository
from app.schemas.vocabularies import WebhookEvent
from app.schemas.webhooks import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryPage,
    WebhookDeliveryRead,
    WebhookRead,
)
from app.services.audit.trail import AuditService
from app.services.webhooks.receivers import ReceiverGuard

# Marks the string as a webhook signing secret wherever it is pasted; not itself secret.
SECRET_PREFIX = "whsec_"  # noqa: S105
YEAR_PUBLISHED: WebhookEvent = "year.published"
YEAR_CORRECTED: WebhookEvent = "year.corrected"


class WebhookNotFound(NotFound):
    slug = "webhook-not-found"


def year_event(
    assessment_year: AssessmentYear, *, occurred_at: datetime, reason: str | None = None
) -> dict[str, Any]:
    """The event fields of a year at its current revision (the outbox adds id and type)."""
    year, revision = assessment_year.year, assessment_year.revision
    base = f"/api/v1/years/{year}"
    return {
        "occurred_at": occurred_at.isoformat(),
        "year": year,
        "revision": revision,
        "reason": reason,
        "links": {
            "year": base,
            "revisions": f"{base}/revisions",
            "ranking": f"{base}/rankings/{{group}}?revision={revision}",
            "dump": f"{base}/dump?revision={revision}",
        },
    }


class WebhookOutbox:
    """Events written into the caller's transaction: a delivery exists exactly when the
    publication or correction that caused it committed. Sending happens later, elsewhere
    (services/webhooks/delivery.py), so a slow or failing receiver never holds up a write."""

    def __init__(self, session: AsyncSession) -> None:
        self.webhooks = WebhookRepository(session)

    async def enqueue(self, event_type: WebhookEvent, data: dict[str, Any]) -> str:
        """One pending delivery per active webhook subscribed to the event; the event's id."""
        event_id = str(uuid.uuid4())
        payload = {"id": event_id, "type": event_type, **data}
        now = datetime.now(UTC)
        for webhook in await self.webhooks.list_active():
            if event_type in webhook.events:
                self.webhooks.add(
                    WebhookDelivery(
                        webhook_id=webhook.id,
                        event_id=event_id,
                        event_type=event_type,
                        payload=payload,
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        return event_id


def _origin(url: str) -> str:
    """What the audit trail keeps of a receiver URL: its path may hold a token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class WebhookService:
    def __init__(self, session: AsyncSession, *, receivers: ReceiverGuard) -> None:
        self.session = session
        self.webhooks = WebhookRepository(session)
        self.receivers = receivers

    async def create_webhook(self, data: WebhookCreate, *, actor: str | None) -> WebhookCreated:
        """Refused when the receiver's host stands for an address webhooks may not reach
        (services/webhooks/receivers.py); every delivery checks it again."""
        await self.receivers.check_url(str(data.url))
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        webhook = Webhook(
            url=str(data.url),
            description=data.description,
            secret=secret,
            events=list(dict.fromkeys(data.events)),
            active=True,
            created_at=datetime.now(UTC),
        )
        self.webhooks.add(webhook)
        await self.session.flush()
        AuditService(self.session).record(
            action="create",
            entity="webhook",
            entity_key=str(webhook.id),
            after={"origin": _origin(webhook.url), "events": webhook.events},
            actor=actor,
        )
        await self.session.commit()
        return WebhookCreated(**WebhookRead.model_validate(webhook).model_dump(), secret=secret)

    async def list_webhooks(self) -> list[WebhookRead]:
        return [WebhookRead.model_validate(w) for w in await self.webhooks.list_webhooks()]

    async def deactivate_webhook(self, webhook_id: int, *, actor: str | None) -> WebhookRead:
        """Stop sending: the webhook's pending deliveries end as failed, kept for the record."""
        webhook = await self._require(webhook_id)
        if webhook.active:
            webhook.active = False
            await self.webhooks.fail_pending(
                webhook_id=webhook_id, error="The webhook was deactivated before delivery."
            )
            AuditService(self.session).record(
                action="deactivate",
                entity="webhook",
                entity_key=str(webhook_id),
                before={"active": True},
                after={"active": False},
                actor=actor,
            )
            await self.session.commit()
        return WebhookRead.model_validate(webhook)

    async def list_deliveries(
        self, webhook_id: int, *, limit: int, offset: int
    ) -> WebhookDeliveryPage:
        await self._require(webhook_id)
        rows, total = await self.webhooks.list_deliveries(
            webhook_id=webhook_id, limit=limit, offset=offset
        )
        return WebhookDeliveryPage(
            items=[WebhookDeliveryRead.model_validate(row) for row in rows],
            total=total,
            limit=limit,
            offset=offset,
        )

    async def _require(self, webhook_id: int) -> Webhook:
        webhook = await self.webhooks.get(webhook_id)
        if webhook is None:
            raise WebhookNotFound(message("webhook.not-found", id=webhook_id))
        return webhook
