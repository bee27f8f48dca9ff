"""Delivering the outbox: signed POSTs, retries with exponential backoff, several drainers at once.

Delivery is at least once. A drain claims due rows in a short transaction (counting the
attempt and leasing the row), sends with no transaction open, then records each outcome in
another short transaction. A drainer that dies between the two leaves its rows to be sent
again once the lease runs out, so receivers skip repeats by `X-PAR-Delivery` (the event id).
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings, WebhookSettings
from app.core.db import create_engine, create_session_factory
from app.repositories.webhooks import DueDelivery, WebhookRepository
from app.services.webhooks.signing import signature
from app.services.webhooks.transport import webhook_client

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 8
TIMEOUT_S = 5.0
# Longer than any send takes: a claimed row is not due again while its drainer still works.
LEASE = timedelta(minutes=5)
ERROR_MAX_CHARS = 500
USER_AGENT = "par-index-webhooks/1"

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt wait 10 s × 2^(n−1): 10 s, 20 s, 40 s … at most one hour."""
    doublings = min(max(attempts - 1, 0), 20)  # 2^20 × 10 s is far past the cap already
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


def shorten(text: str, limit: int = ERROR_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class DrainReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: "DrainReport") -> "DrainReport":
        return DrainReport(
            self.delivered + other.delivered,
            self.retrying + other.retrying,
            self.failed + other.failed,
        )


def request_body(delivery: DueDelivery) -> bytes:
    """The exact bytes that are signed and sent: compact UTF-8 JSON."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


async def send(
    http: httpx.AsyncClient, delivery: DueDelivery, *, now: datetime, timeout_s: float
) -> Outcome:
    """POST one delivery; any 2xx is success, anything else (timeouts too) a failed attempt."""
    body = request_body(delivery)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PAR-Event": delivery.event_type,
        "X-PAR-Delivery": delivery.event_id,
        "X-PAR-Timestamp": str(timestamp),
        "X-PAR-Signature": signature(delivery.secret, timestamp, body),
    }
    try:
        # A redirect is an answer, not an instruction: following it would send the delivery
        # to an address nobody registered.
        response = await http.post(
            delivery.url,
            content=body,
            headers=headers,
            timeout=timeout_s,
            follow_redirects=False,
        )
    except httpx.TimeoutException as exc:
        return Outcome(None, f"timed out after {timeout_s:g} s ({type(exc).__name__})")
    except Exception as exc:
        # Connection refused, DNS, TLS … : one broken receiver must not fail the whole batch.
        return Outcome(None, shorten(f"{type(exc).__name__}: {exc}"))
    if response.is_success:
        return Outcome(response.status_code, None)
    return Outcome(
        response.status_code, shorten(f"HTTP {response.status_code}: {response.text.strip()}")
    )


async def _claim(factory: SessionFactory, *, now: datetime, batch: int) -> list[DueDelivery]:
    """Lock due rows, count the attempt and lease them, and commit at once.

    The claim re-checks that each row is still due, so even without row locks (SQLite, where
    a cron drain may race the app's) a row another drainer took in between is left to it.
    """
    claimed = []
    async with factory() as session:
        webhooks = WebhookRepository(session)
        for delivery in await webhooks.lock_due(now=now, limit=batch):
            attempt = delivery._replace(attempts=delivery.attempts + 1)
            if await webhooks.claim(
                delivery.id, now=now, attempts=attempt.attempts, lease_until=now + LEASE
            ):
                claimed.append(attempt)
        await session.commit()
    return claimed


async def _record(
    factory: SessionFactory,
    sent: Sequence[tuple[DueDelivery, Outcome]],
    *,
    now: datetime,
    max_attempts: int,
) -> DrainReport:
    delivered = retrying = failed = 0
    async with factory() as session:
        webhooks = WebhookRepository(session)
        for delivery, outcome in sent:
            values: dict[str, object] = {
                "last_status_code": outcome.status_code,
                "last_error": outcome.error,
            }
            if outcome.delivered:
                values |= {"status": "delivered", "delivered_at": now}
                delivered += 1
            elif delivery.attempts >= max_attempts:
                values["status"] = "failed"
                failed += 1
            else:
                values["next_attempt_at"] = now + retry_delay(delivery.attempts)
                retrying += 1
            if not outcome.delivered:
                logger.warning(
                    "webhook delivery %s (%s) attempt %s failed: %s",
                    delivery.id,
                    delivery.event_type,
                    delivery.attempts,
                    outcome.error,
                )
            await webhooks.update_delivery(delivery.id, **values)
        await session.commit()
    return DrainReport(delivered, retrying, failed)


async def drain(
    session_factory: SessionFactory,
    http_client: httpx.AsyncClient,
    *,
    now: datetime,
    batch: int = 50,
    max_attempts: int = MAX_ATTEMPTS,
    timeout_s: float = TIMEOUT_S,
) -> DrainReport:
    """Send every delivery due at `now`, `batch` at a time, each batch concurrently.

    `now` is explicit so retries can be tested by advancing it; it is also the signed
    timestamp. Never called while handling a request: writes only enqueue.
    """
    report = DrainReport()
    while True:
        claimed = await _claim(session_factory, now=now, batch=batch)
        if not claimed:
            return report
        outcomes = await asyncio.gather(
            *(send(http_client, d, now=now, timeout_s=timeout_s) for d in claimed)
        )
        report += await _record(
            session_factory,
            list(zip(claimed, outcomes, strict=True)),
            now=now,
            max_attempts=max_attempts,
        )
        if len(claimed) < batch:
            return report


async def drain_with_settings(
    session_factory: SessionFactory, http_client: httpx.AsyncClient, settings: WebhookSettings
) -> DrainReport:
    return await drain(
        session_factory,
        http_client,
        now=datetime.now(UTC),
        batch=settings.batch_size,
        max_attempts=settings.max_attempts,
        timeout_s=settings.timeout_s,
    )


async def drain_once(settings: Settings) -> DrainReport:
    """One drain with its own engine, for `par-index webhooks drain` run from cron."""
    engine = create_engine(settings)
    try:
        async with webhook_client(settings.webhooks) as http:
            return await drain_with_settings(
                create_session_factory(engine), http, settings.webhooks
            )
    finally:
        await engine.dispose()


class OutboxDrainer:
    """Drains the outbox every `drain_interval_s` in the background of one worker."""

    def __init__(
        self,
        session_factory: SessionFactory,
        settings: WebhookSettings,
        *,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.http_client = http_client
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start draining; does nothing when webhooks are turned off."""
        if self.settings.enabled and self._task is None:
            self._task = asyncio.create_task(self._run(), name="webhook-outbox-drainer")

    async def stop(self) -> None:
        """Let the current drain finish (bounded by the send timeout), then end."""
        if self._task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(self._task, timeout=self.settings.timeout_s + 5)
        except TimeoutError:
            # Cancelled mid-send: the leased rows are sent again after the lease.
            logger.warning("webhook drainer did not stop in time; cancelled")
        self._task = None

    async def _run(self) -> None:
        async with contextlib.AsyncExitStack() as stack:
            http = self.http_client
            if http is None:
                http = await stack.enter_async_context(webhook_client(self.settings))
            while not self._stop.is_set():
                try:
                    await drain_with_settings(self.session_factory, http, self.settings)
                except Exception:
                    logger.exception("webhook drain failed; trying again in the next round")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.settings.drain_interval_s)
