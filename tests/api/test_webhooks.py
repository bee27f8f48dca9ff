"""Webhooks: admin endpoints, the outbox written with each publication, signed delivery, retries."""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import WebhookSettings
from app.models import Webhook, WebhookDelivery
from app.repositories.webhooks import WebhookRepository
from app.schemas.audit import PublishRequest
from app.services.access.viewer import EDITORIAL
from app.services.publication.service import PublicationService
from app.services.publication.years import YearService
from app.services.webhooks.delivery import (
    MAX_ATTEMPTS,
    OutboxDrainer,
    SessionFactory,
    drain,
    retry_delay,
)
from app.services.webhooks.signing import verify
from tests.builders import assert_problem, create_draft_year, create_unit, put_small_tree

YEAR = 2034
RECEIVER = "https://receiver.test/par-index"
OTHER_RECEIVER = "https://other.test/hook"

Answer = int | type[httpx.RequestError]


def factory_for(session: AsyncSession) -> SessionFactory:
    """A session factory giving the test's own session, so drains see its rolled-back data."""

    @asynccontextmanager
    async def same_session() -> AsyncIterator[AsyncSession]:
        yield session

    return same_session


@dataclass
class Receiver:
    """A webhook receiver behind httpx.MockTransport: checks every signature with the secret
    and timestamp, then answers as scripted (`answers` in order, then `default`)."""

    secrets: dict[str, str]
    answers: list[Answer] = field(default_factory=list)
    default: Answer = 200
    now: datetime | None = None  # the receiver's clock; the real one if None
    received: list[httpx.Request] = field(default_factory=list)
    verified: list[bool] = field(default_factory=list)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        now_s = self.now.timestamp() if self.now else time.time()
        authentic = verify(
            self.secrets[str(request.url)],
            timestamp=request.headers["X-PAR-Timestamp"],
            body=request.content,
            header=request.headers["X-PAR-Signature"],
            now_s=now_s,
        )
        self.verified.append(authentic)
        if not authentic:
            return httpx.Response(401, text="bad signature")
        answer = self.answers.pop(0) if self.answers else self.default
        if isinstance(answer, int):
            return httpx.Response(answer, text="ok" if answer < 300 else "receiver is down")
        raise answer("scripted failure", request=request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    async def drain_at(self, session: AsyncSession, now: datetime) -> int:
        """Drain at `now`; how many requests the receiver got in that drain."""
        before = len(self.received)
        self.now = now
        async with self.client() as http:
            await drain(factory_for(session), http, now=now)
        return len(self.received) - before


async def create_webhook(
    client: AsyncClient, url: str = RECEIVER, events: Sequence[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "description": "portal"}
    if events is not None:
        body["events"] = list(events)
    response = await client.post("/api/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def draft_year_with_scores(client: AsyncClient, year: int = YEAR) -> None:
    await create_draft_year(client, year)
    await put_small_tree(client, year)
    await create_unit(client, "T-WH-A")
    response = await put_satisfaction(client, "4", year=year)
    assert response.status_code == 200, response.text


async def put_satisfaction(
    client: AsyncClient, score: str, *, year: int = YEAR, reason: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"scores": [{"criterion": "2.1", "final_score": score}]}
    if reason is not None:
        body["correction_reason"] = reason
    return await client.put(f"/api/v1/years/{year}/units/T-WH-A/scores", json=body)


async def publish(client: AsyncClient, year: int = YEAR) -> None:
    response = await client.post(f"/api/v1/years/{year}/publish")
    assert response.status_code == 200, response.text


async def deliveries(session: AsyncSession, webhook_id: int) -> list[WebhookDelivery]:
    result = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .order_by(WebhookDelivery.id)
        .execution_options(populate_existing=True)
    )
    return list(result.all())


async def only_delivery(session: AsyncSession, webhook_id: int) -> WebhookDelivery:
    rows = await deliveries(session, webhook_id)
    assert len(rows) == 1
    return rows[0]


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class TestCreateWebhook:
    async def test_the_secret_is_shown_once_and_kept_to_sign(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        created = await create_webhook(client)
        assert created["secret"].startswith("whsec_")
        assert created["events"] == ["year.published", "year.corrected"]
        assert created["active"] is True
        listed = (await client.get("/api/v1/webhooks")).json()
        assert [hook["id"] for hook in listed] == [created["id"]]
        assert "secret" not in listed[0]
        stored = await session.get(Webhook, created["id"])
        assert stored is not None
        assert stored.secret == created["secret"]

    async def test_the_audit_trail_keeps_only_the_receiver_origin(
        self, client: AsyncClient
    ) -> None:
        await create_webhook(client, url="https://hooks.example/T0k3n-in-path")
        audit = await client.get("/api/v1/audit?entity=webhook")
        assert audit.json()["items"][0]["after"]["origin"] == "https://hooks.example"
        assert "T0k3n" not in audit.text

    @pytest.mark.parametrize(
        "url", ["ftp://files.example/hook", "javascript:alert(1)", "/relative/path", "receiver"]
    )
    async def test_only_http_and_https_urls_are_accepted(
        self, client: AsyncClient, url: str
    ) -> None:
        response = await client.post("/api/v1/webhooks", json={"url": url})
        body = assert_problem(response, 422)
        assert body["errors"][0]["loc"] == ["body", "url"]

    async def test_unknown_events_are_refused(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/webhooks", json={"url": RECEIVER, "events": ["year.deleted"]}
        )
        assert_problem(response, 422)


class TestOutbox:
    async def test_publishing_enqueues_one_delivery_per_subscribed_active_webhook(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        both = await create_webhook(client)
        published_only = await create_webhook(client, OTHER_RECEIVER, ["year.published"])
        corrected_only = await create_webhook(client, events=["year.corrected"])
        inactive = await create_webhook(client)
        await client.delete(f"/api/v1/webhooks/{inactive['id']}")
        await draft_year_with_scores(client)
        await publish(client)

        first = await only_delivery(session, both["id"])
        second = await only_delivery(session, published_only["id"])
        assert await deliveries(session, corrected_only["id"]) == []
        assert await deliveries(session, inactive["id"]) == []
        assert first.event_id == second.event_id == first.payload["id"]
        assert (first.status, first.attempts, first.event_type) == (
            "pending",
            0,
            "year.published",
        )
        payload = dict(first.payload)
        assert datetime.fromisoformat(payload.pop("occurred_at")).tzinfo is not None
        assert payload == {
            "id": first.event_id,
            "type": "year.published",
            "year": YEAR,
            "revision": 1,
            "reason": None,
            "links": {
                "year": f"/api/v1/years/{YEAR}",
                "revisions": f"/api/v1/years/{YEAR}/revisions",
                "ranking": f"/api/v1/years/{YEAR}/rankings/{{group}}?revision=1",
                "dump": f"/api/v1/years/{YEAR}/dump?revision=1",
            },
        }

    async def test_a_correction_enqueues_year_corrected_at_the_new_revision(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client, events=["year.corrected"])
        await draft_year_with_scores(client)
        await publish(client)
        assert await deliveries(session, hook["id"]) == []
        response = await put_satisfaction(client, "5", reason="Appeal upheld")
        assert response.status_code == 200, response.text
        delivery = await only_delivery(session, hook["id"])
        assert delivery.event_type == "year.corrected"
        assert (delivery.payload["revision"], delivery.payload["reason"]) == (2, "Appeal upheld")
        assert delivery.payload["links"]["dump"] == f"/api/v1/years/{YEAR}/dump?revision=2"

    async def test_a_refused_publish_enqueues_nothing(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        await draft_year_with_scores(client)
        await publish(client)
        again = await client.post(f"/api/v1/years/{YEAR}/publish")
        assert_problem(again, 409)
        refused = await put_satisfaction(client, "1")  # frozen: no correction_reason
        assert_problem(refused, 409)
        assert len(await deliveries(session, hook["id"])) == 1

    async def test_the_delivery_rolls_back_with_the_publication(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        await draft_year_with_scores(client)
        savepoint = await session.begin_nested()
        years = YearService(session, viewer=EDITORIAL)
        year = await years.require_year(YEAR, for_update=True)
        await PublicationService(session, years=years).apply_publish(
            year, data=PublishRequest(), actor=None
        )
        assert len(await deliveries(session, hook["id"])) == 1
        await savepoint.rollback()
        assert await deliveries(session, hook["id"]) == []


class TestDrain:
    async def test_the_receiver_gets_a_signed_json_post(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]})
        await draft_year_with_scores(client)
        await publish(client)
        now = datetime.now(UTC)
        assert await receiver.drain_at(session, now) == 1

        request = receiver.received[0]
        delivery = await only_delivery(session, hook["id"])
        assert receiver.verified == [True]
        assert request.method == "POST"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-PAR-Event"] == "year.published"
        assert request.headers["X-PAR-Delivery"] == delivery.event_id
        assert request.headers["X-PAR-Timestamp"] == str(int(now.timestamp()))
        assert httpx.Response(200, content=request.content).json() == delivery.payload
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "delivered",
            1,
            200,
        )
        assert utc(delivery.delivered_at) == now
        assert await receiver.drain_at(session, now + timedelta(hours=2)) == 0

    async def test_a_receiver_failing_twice_is_retried_with_backoff_then_delivered(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]}, answers=[500, 503])
        await draft_year_with_scores(client)
        await publish(client)
        start = datetime.now(UTC)

        assert await receiver.drain_at(session, start) == 1
        delivery = await only_delivery(session, hook["id"])
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.last_error == "HTTP 500: receiver is down"
        assert utc(delivery.next_attempt_at) == start + timedelta(seconds=10)

        assert await receiver.drain_at(session, start + timedelta(seconds=9)) == 0
        assert await receiver.drain_at(session, start + timedelta(seconds=10)) == 1
        delivery = await only_delivery(session, hook["id"])
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        assert utc(delivery.next_attempt_at) == start + timedelta(seconds=30)

        assert await receiver.drain_at(session, start + timedelta(seconds=29)) == 0
        assert await receiver.drain_at(session, start + timedelta(seconds=30)) == 1
        delivery = await only_delivery(session, hook["id"])
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "delivered",
            3,
            200,
        )
        assert delivery.last_error is None
        assert receiver.verified == [True, True, True]
        assert len({r.headers["X-PAR-Delivery"] for r in receiver.received}) == 1

    async def test_a_dead_receiver_ends_failed_and_never_held_up_publishing(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]}, default=httpx.ConnectError)
        await draft_year_with_scores(client)
        started = time.monotonic()
        await publish(client)
        assert time.monotonic() - started < 5  # well under one send timeout
        assert receiver.received == []  # nothing is sent while publishing

        now = datetime.now(UTC)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert await receiver.drain_at(session, now) == 1
            delivery = await only_delivery(session, hook["id"])
            assert delivery.attempts == attempt
            assert delivery.last_status_code is None
            assert delivery.last_error == "ConnectError: scripted failure"
            now += retry_delay(attempt)
        assert delivery.status == "failed"
        assert await receiver.drain_at(session, now + timedelta(days=1)) == 0

    async def test_a_timeout_is_a_failed_attempt(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]}, default=httpx.ReadTimeout)
        await draft_year_with_scores(client)
        await publish(client)
        await receiver.drain_at(session, datetime.now(UTC))
        delivery = await only_delivery(session, hook["id"])
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error == "timed out after 5 s (ReadTimeout)"

    async def test_each_receiver_gets_its_own_signature(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        first = await create_webhook(client)
        second = await create_webhook(client, OTHER_RECEIVER)
        receiver = Receiver({RECEIVER: first["secret"], OTHER_RECEIVER: second["secret"]})
        await draft_year_with_scores(client)
        await publish(client)
        assert await receiver.drain_at(session, datetime.now(UTC)) == 2
        assert receiver.verified == [True, True]

    async def test_a_deactivated_webhook_gets_nothing_more(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]})
        await draft_year_with_scores(client)
        await publish(client)
        response = await client.delete(f"/api/v1/webhooks/{hook['id']}")
        assert response.status_code == 200, response.text
        assert response.json()["active"] is False
        assert await receiver.drain_at(session, datetime.now(UTC)) == 0
        delivery = await only_delivery(session, hook["id"])
        assert delivery.status == "failed"
        assert delivery.last_error == "The webhook was deactivated before delivery."

    async def test_a_row_another_drainer_claimed_is_not_claimed_again(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        await draft_year_with_scores(client)
        await publish(client)
        delivery = await only_delivery(session, hook["id"])
        now = datetime.now(UTC)
        webhooks = WebhookRepository(session)
        lease_until = now + timedelta(minutes=5)
        # Without row locks (SQLite) two drainers can both select a row; only one claims it.
        assert await webhooks.claim(delivery.id, now=now, attempts=1, lease_until=lease_until)
        assert not await webhooks.claim(delivery.id, now=now, attempts=1, lease_until=lease_until)


class TestListWebhookDeliveries:
    async def test_newest_first_paginated_with_attempt_details(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]}, answers=[502])
        await draft_year_with_scores(client)
        await publish(client)
        await receiver.drain_at(session, datetime.now(UTC))
        assert (await put_satisfaction(client, "5", reason="Appeal upheld")).status_code == 200

        path = f"/api/v1/webhooks/{hook['id']}/deliveries"
        page = (await client.get(path)).json()
        assert page["total"] == 2
        assert [d["event_type"] for d in page["items"]] == ["year.corrected", "year.published"]
        older = page["items"][1]
        assert (older["status"], older["attempts"], older["last_status_code"]) == (
            "pending",
            1,
            502,
        )
        assert older["last_error"] == "HTTP 502: receiver is down"
        assert older["payload"]["type"] == "year.published"
        second_page = (await client.get(f"{path}?limit=1&offset=1")).json()
        assert [d["id"] for d in second_page["items"]] == [older["id"]]

    async def test_an_unknown_webhook_is_a_404(self, client: AsyncClient) -> None:
        body = assert_problem(await client.get("/api/v1/webhooks/999999/deliveries"), 404)
        assert body["type"].endswith("webhook-not-found")
        assert_problem(await client.delete("/api/v1/webhooks/999999"), 404)


class TestOutboxDrainer:
    async def test_the_background_drainer_delivers_then_stops_cleanly(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]})
        await draft_year_with_scores(client)
        await publish(client)
        async with receiver.client() as http:
            drainer = OutboxDrainer(
                factory_for(session), WebhookSettings(drain_interval_s=0.01), http_client=http
            )
            drainer.start()
            for _ in range(500):
                if receiver.received:
                    break
                await asyncio.sleep(0.01)
            await drainer.stop()
        assert receiver.verified == [True]
        assert (await only_delivery(session, hook["id"])).status == "delivered"

    async def test_turned_off_it_never_sends(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        hook = await create_webhook(client)
        receiver = Receiver({RECEIVER: hook["secret"]})
        await draft_year_with_scores(client)
        await publish(client)
        async with receiver.client() as http:
            drainer = OutboxDrainer(
                factory_for(session),
                WebhookSettings(enabled=False, drain_interval_s=0.01),
                http_client=http,
            )
            drainer.start()
            # Twenty drain intervals: a running drainer would have sent the due delivery.
            await asyncio.sleep(0.2)
            await drainer.stop()
        assert receiver.received == []
        delivery = await only_delivery(session, hook["id"])
        assert (delivery.status, delivery.attempts) == ("pending", 0)


DELIVERY_COUNT = 20


@pytest.fixture
async def committed_deliveries(engine: AsyncEngine) -> AsyncIterator[list[str]]:
    """Due deliveries committed for real, so separate connections see them; removed after."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has no row locks and a single writer")
    factory = async_sessionmaker(engine, expire_on_commit=False)
    now = datetime.now(UTC)
    async with factory() as session:
        webhook = Webhook(
            url=RECEIVER,
            secret="whsec_concurrency",
            events=["year.published"],
            active=True,
            created_at=now,
        )
        session.add(webhook)
        await session.flush()
        event_ids = [str(uuid.uuid4()) for _ in range(DELIVERY_COUNT)]
        for event_id in event_ids:
            session.add(
                WebhookDelivery(
                    webhook_id=webhook.id,
                    event_id=event_id,
                    event_type="year.published",
                    payload={"id": event_id, "type": "year.published"},
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        await session.commit()
    try:
        yield event_ids
    finally:
        async with factory() as session:
            await session.execute(
                delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
            )
            await session.execute(delete(Webhook).where(Webhook.id == webhook.id))
            await session.commit()


class TestConcurrentDrains:
    async def test_rows_locked_by_one_drainer_are_skipped_by_another(
        self, engine: AsyncEngine, committed_deliveries: list[str]
    ) -> None:
        factory = async_sessionmaker(engine)
        now = datetime.now(UTC)
        async with factory() as first, factory() as second:
            mine = await WebhookRepository(first).lock_due(now=now, limit=5)
            # Without SKIP LOCKED this would wait for the first transaction to end.
            theirs = await asyncio.wait_for(
                WebhookRepository(second).lock_due(now=now, limit=100), timeout=5
            )
            assert len(mine) == 5
            assert len(theirs) == DELIVERY_COUNT - 5
            assert not {d.id for d in mine} & {d.id for d in theirs}
            await first.rollback()
            await second.rollback()

    async def test_two_concurrent_drains_never_send_a_row_twice(
        self, engine: AsyncEngine, committed_deliveries: list[str]
    ) -> None:
        factory = async_sessionmaker(engine, expire_on_commit=False)
        sent: Counter[str] = Counter()

        async def slow_receiver(request: httpx.Request) -> httpx.Response:
            sent[request.headers["X-PAR-Delivery"]] += 1
            await asyncio.sleep(0.01)
            return httpx.Response(204)

        now = datetime.now(UTC)
        async with httpx.AsyncClient(transport=httpx.MockTransport(slow_receiver)) as http:
            reports = await asyncio.gather(
                drain(factory, http, now=now, batch=3), drain(factory, http, now=now, batch=3)
            )
        assert sum(report.delivered for report in reports) == DELIVERY_COUNT
        assert sent == Counter(committed_deliveries)
        async with factory() as session:
            rows = (
                await session.scalars(
                    select(WebhookDelivery).where(
                        WebhookDelivery.event_id.in_(committed_deliveries)
                    )
                )
            ).all()
        assert {(row.status, row.attempts) for row in rows} == {("delivered", 1)}
