"""Webhooks, and the outbox of deliveries: listing, claiming due rows, recording attempts."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Webhook, WebhookDelivery


class DueDelivery(NamedTuple):
    id: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    attempts: int
    url: str
    secret: str


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, webhook_id: int) -> Webhook | None:
        return await self.session.get(Webhook, webhook_id)

    async def list_webhooks(self) -> Sequence[Webhook]:
        result = await self.session.scalars(select(Webhook).order_by(Webhook.id))
        return result.all()

    async def list_active(self) -> Sequence[Webhook]:
        result = await self.session.scalars(
            select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)
        )
        return result.all()

    def add(self, instance: Webhook | WebhookDelivery) -> None:
        self.session.add(instance)

    async def list_deliveries(
        self, *, webhook_id: int, limit: int, offset: int
    ) -> tuple[Sequence[WebhookDelivery], int]:
        total = await self.session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
        )
        rows = await self.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), total or 0

    async def fail_pending(self, *, webhook_id: int, error: str) -> None:
        await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
            .values(status="failed", last_error=error)
        )

    async def lock_due(self, *, now: datetime, limit: int) -> Sequence[DueDelivery]:
        """Due pending deliveries of active webhooks, oldest first, locked for this transaction.

        On PostgreSQL rows another transaction has locked are skipped (FOR UPDATE SKIP LOCKED),
        so several drainers share the work without waiting or sending a row twice. SQLite has
        no row locks and renders neither clause: it has one writer at a time.
        """
        result = await self.session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.event_id,
                WebhookDelivery.event_type,
                WebhookDelivery.payload,
                WebhookDelivery.attempts,
                Webhook.url,
                Webhook.secret,
            )
            .join(Webhook, WebhookDelivery.webhook_id == Webhook.id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        )
        return [DueDelivery(*row) for row in result]

    async def claim(
        self, delivery_id: int, *, now: datetime, attempts: int, lease_until: datetime
    ) -> bool:
        """Count the attempt and lease the row, if it is still due; whether it was."""
        # DML statements give a CursorResult, which knows how many rows matched.
        result = cast(
            "CursorResult[Any]",
            await self.session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                )
                .values(attempts=attempts, next_attempt_at=lease_until)
                # Not evaluated against loaded objects: SQLite loads naive datetimes, and
                # drains read rows only through lock_due().
                .execution_options(synchronize_session=False)
            ),
        )
        return result.rowcount == 1

    async def update_delivery(self, delivery_id: int, **values: Any) -> None:
        await self.session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
        )
