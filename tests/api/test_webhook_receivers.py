"""Webhook receivers must have public addresses: refused at registration and on every delivery.

Deliveries here go through the real HTTP client to a receiver served on 127.0.0.1; names are
resolved from the test's table (no real DNS). Only addresses on this machine are ever
contacted: every other address in these tests is refused before a connection is opened.
"""

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Receive, Scope, Send

from app.core.config import WebhookSettings
from app.models import Webhook
from app.services.webhooks.delivery import drain
from app.services.webhooks.outbox import WebhookOutbox
from app.services.webhooks.signing import verify
from app.services.webhooks.transport import webhook_client
from tests.api.test_webhooks import factory_for, only_delivery
from tests.builders import assert_problem
from tests.conftest import PUBLIC_ADDRESS, AppBuilder, TableResolver, api_key, http_client
from tests.local_server import serving

SECRET = "whsec_receiver-test"
LOOPBACK_ONLY = WebhookSettings.model_validate({"allowed_networks": ["127.0.0.0/8"]})


class LocalReceiver:
    """An ASGI receiver that records each request and answers 204, or redirects."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.redirect_to = redirect_to
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {key.decode(): value.decode() for key, value in scope["headers"]}
        self.requests.append((scope["path"], headers, body))
        status, response_headers = 204, []
        if self.redirect_to is not None:
            status, response_headers = 307, [(b"location", self.redirect_to.encode())]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[LocalReceiver, int]]:
    """A receiver on a free loopback port: (its record, the port)."""
    local = LocalReceiver()
    async with serving(local) as base_url:
        yield local, int(base_url.rsplit(":", 1)[1])


async def pending_delivery(session: AsyncSession, url: str) -> Webhook:
    """A webhook stored as it is (as one registered before the address rule, or a name that
    resolved elsewhere then) with one delivery due."""
    webhook = Webhook(
        url=url, secret=SECRET, events=["year.published"], active=True, created_at=datetime.now(UTC)
    )
    session.add(webhook)
    await session.flush()
    await WebhookOutbox(session).enqueue("year.published", {"year": 2024})
    await session.flush()
    return webhook


async def drain_through(
    session: AsyncSession, settings: WebhookSettings, resolver: TableResolver
) -> None:
    async with webhook_client(settings, resolver=resolver) as http:
        await drain(factory_for(session), http, now=datetime.now(UTC))


class TestRegistration:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/",
            "http://localhost:5432/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://0.0.0.0:22/",
            "http://10.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://intranet.test/hook",
        ],
    )
    async def test_receivers_without_a_public_address_are_refused(
        self, client: AsyncClient, resolver: TableResolver, url: str
    ) -> None:
        resolver.table["intranet.test"] = ["10.20.30.40"]
        response = await client.post("/api/v1/webhooks", json={"url": url})
        body = assert_problem(response, 422)
        assert body["type"].endswith("/webhook-receiver-not-allowed")
        assert body["errors"][0]["loc"] == ["body", "url"]
        assert "APP_WEBHOOKS__ALLOWED_NETWORKS" in body["detail"]
        assert (await client.get("/api/v1/webhooks")).json() == []

    @pytest.mark.parametrize(
        ("allowing", "url"),
        [
            ({"allowed_networks": ["127.0.0.0/8"]}, "http://127.0.0.1:8080/hook"),
            ({"allowed_hosts": ["localhost"]}, "http://localhost:5432/hook"),
        ],
    )
    async def test_an_operator_may_allow_a_network_or_a_host(
        self, build_app: AppBuilder, session: AsyncSession, allowing: dict[str, Any], url: str
    ) -> None:
        app = build_app(webhooks=WebhookSettings.model_validate(allowing))
        async with http_client(app, await api_key(session, "admin")) as admin:
            response = await admin.post("/api/v1/webhooks", json={"url": url})
        assert response.status_code == 201, response.text

    async def test_a_public_receiver_is_registered(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/webhooks", json={"url": "https://receiver.test/h"})
        assert response.status_code == 201, response.text


class TestDelivery:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "rebind.test"])
    async def test_nothing_is_sent_to_a_loopback_receiver(
        self,
        session: AsyncSession,
        resolver: TableResolver,
        receiver: tuple[LocalReceiver, int],
        host: str,
    ) -> None:
        local, port = receiver
        resolver.table["rebind.test"] = ["127.0.0.1"]
        webhook = await pending_delivery(session, f"http://{host}:{port}/hook")
        await drain_through(session, WebhookSettings(), resolver)
        assert local.requests == []
        delivery = await only_delivery(session, webhook.id)
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            None,
        )
        assert delivery.last_error is not None
        assert delivery.last_error.startswith("ReceiverNotAllowed:")
        assert "loopback" in delivery.last_error

    async def test_a_name_rebound_to_loopback_after_registration_is_refused(
        self,
        client: AsyncClient,
        session: AsyncSession,
        resolver: TableResolver,
        receiver: tuple[LocalReceiver, int],
    ) -> None:
        local, port = receiver
        resolver.table["rebind.test"] = [PUBLIC_ADDRESS]
        url = f"http://rebind.test:{port}/hook"
        created = await client.post("/api/v1/webhooks", json={"url": url})
        assert created.status_code == 201, created.text
        await WebhookOutbox(session).enqueue("year.published", {"year": 2024})
        resolver.table["rebind.test"] = ["127.0.0.1"]
        await drain_through(session, WebhookSettings(), resolver)
        assert local.requests == []
        assert "loopback" in str((await only_delivery(session, created.json()["id"])).last_error)

    async def test_an_allow_listed_loopback_receiver_gets_the_signed_post(
        self,
        session: AsyncSession,
        resolver: TableResolver,
        receiver: tuple[LocalReceiver, int],
    ) -> None:
        local, port = receiver
        webhook = await pending_delivery(session, f"http://127.0.0.1:{port}/hook")
        await drain_through(session, LOOPBACK_ONLY, resolver)
        assert [path for path, _, _ in local.requests] == ["/hook"]
        _, headers, body = local.requests[0]
        assert verify(
            SECRET,
            timestamp=headers["x-par-timestamp"],
            body=body,
            header=headers["x-par-signature"],
            now_s=time.time(),
        )
        assert (await only_delivery(session, webhook.id)).status == "delivered"

    async def test_a_redirect_is_not_followed(
        self,
        session: AsyncSession,
        resolver: TableResolver,
        receiver: tuple[LocalReceiver, int],
    ) -> None:
        local, port = receiver
        local.redirect_to = f"http://127.0.0.1:{port}/internal"
        resolver.table["hooks.test"] = ["127.0.0.1"]
        webhook = await pending_delivery(session, f"http://hooks.test:{port}/hook")
        allowing_the_host = WebhookSettings.model_validate({"allowed_hosts": ["hooks.test"]})
        await drain_through(session, allowing_the_host, resolver)
        assert [path for path, _, _ in local.requests] == ["/hook"]
        delivery = await only_delivery(session, webhook.id)
        assert (delivery.status, delivery.last_status_code) == ("pending", 307)
