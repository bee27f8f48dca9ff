"""Webhooks (admins only): receivers told when a year is published or corrected."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.dependencies import NOT_CACHED, AdminDep, Limit, Offset, WebhookServiceDep
from app.routers.responses import AUTH, INVALID, NOT_FOUND
from app.schemas.base import DB_INT_MAX
from app.schemas.webhooks import WebhookCreate, WebhookCreated, WebhookDeliveryPage, WebhookRead

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=AUTH, dependencies=NOT_CACHED)

WebhookIdPath = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="Webhook id.")]


@router.post(
    "",
    summary="Register a webhook (its signing secret is shown only in this response)",
    status_code=status.HTTP_201_CREATED,
    responses=INVALID,
)
async def create_webhook(
    data: WebhookCreate, service: WebhookServiceDep, caller: AdminDep
) -> WebhookCreated:
    """Each event is POSTed as JSON with `X-PAR-Event`, `X-PAR-Delivery` (the event id, the
    same on every retry), `X-PAR-Timestamp` (unix seconds) and `X-PAR-Signature:
    sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. Any 2xx answer counts as
    delivered; anything else, or no answer within the timeout (5 s by default), is retried
    after 10 s, 20 s, 40 s … (at most an hour apart) until the last attempt (by default the
    8th) fails. Delivery is at least once: skip repeated `X-PAR-Delivery` ids."""
    return await service.create_webhook(data, actor=caller.actor)


@router.get("", summary="List webhooks (never their secrets)")
async def list_webhooks(service: WebhookServiceDep, _caller: AdminDep) -> list[WebhookRead]:
    return await service.list_webhooks()


@router.delete(
    "/{webhook_id}",
    summary="Deactivate a webhook; its pending deliveries end as failed",
    responses=NOT_FOUND,
)
async def deactivate_webhook(
    webhook_id: WebhookIdPath, service: WebhookServiceDep, caller: AdminDep
) -> WebhookRead:
    return await service.deactivate_webhook(webhook_id, actor=caller.actor)


@router.get(
    "/{webhook_id}/deliveries",
    summary="List a webhook's deliveries, newest first",
    responses=NOT_FOUND,
)
async def list_webhook_deliveries(
    webhook_id: WebhookIdPath,
    service: WebhookServiceDep,
    _caller: AdminDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WebhookDeliveryPage:
    return await service.list_deliveries(webhook_id, limit=limit, offset=offset)
