"""The HTTP client deliveries are sent with: it connects only to addresses the guard checked.

Checking a URL and then letting the HTTP library resolve it again would leave a gap: a name
can answer a public address to the check and a private one to the connection (DNS
rebinding). So the check sits where connections are opened: the network backend resolves the
host once, checks every address, and connects to a checked address. TLS still verifies the
certificate against the host name, and redirects are never followed.
"""

from collections.abc import Iterable

import anyio
import httpcore
import httpx

from app.core.config import WebhookSettings
from app.core.messages import message
from app.services.webhooks.receivers import (
    ReceiverGuard,
    ReceiverNotAllowed,
    ReceiverPolicy,
    Resolver,
    system_resolver,
)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    # The `timeout` parameters are httpcore's interface (ASYNC109 prefers a cancel scope).

    def __init__(self, guard: ReceiverGuard) -> None:
        self.guard = guard
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self.guard.addresses(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve ({exc})") from exc
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:  # in the resolver's order, as a plain connect would
            try:
                return await self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ReceiverNotAllowed(message("webhook.tcp-only"))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, guard: ReceiverGuard) -> None:
        super().__init__()
        # httpx takes no network backend, but the httpcore pool under it does (public httpcore
        # API); the pool httpx built is replaced before it ever opens a connection.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=GuardedNetworkBackend(guard),
        )


def webhook_client(
    settings: WebhookSettings, *, resolver: Resolver = system_resolver
) -> httpx.AsyncClient:
    """Checked connections, no redirects, and no proxy from the environment (a proxy would
    connect on the service's behalf, where no check sees the receiver's address)."""
    guard = ReceiverGuard(ReceiverPolicy.from_settings(settings), resolver)
    return httpx.AsyncClient(
        transport=GuardedTransport(guard),
        timeout=settings.timeout_s,
        follow_redirects=False,
        trust_env=False,
    )
