"""The outermost middleware: request id and access log, metrics, security headers in one pass.

These three see every answer, refusals included, and each used to wrap `send` in a middleware
of its own; one wrapper does their work at the same point (the response start) for a third of
the calls. What each adds is still decided in its own module: the id and access line in
`logging`, the counters in `metrics`, the headers in `security`.
"""

import time
from collections.abc import Iterable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.logging import REQUEST_ID_HEADER, accepted_request_id, log_access, request_id_var
from app.http.metrics import HttpMetrics
from app.http.security import SecurityHeaders

_REQUEST_ID: Final = REQUEST_ID_HEADER.lower().encode("latin-1")


class FrontMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics, security: SecurityHeaders) -> None:
        self.app = app
        self.metrics = metrics
        self.security = security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(_header(scope, _REQUEST_ID))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # unless a response starts
        added = [(_REQUEST_ID, request_id.encode("latin-1"))]
        defaults = self.security.for_path(scope["path"])

        async def send_from_front(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_headers(message.get("headers", ()), added, defaults)
            await send(message)

        try:
            await self.app(scope, receive, send_from_front)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope, status, elapsed)
            log_access(scope, status, elapsed)
        # On an error the id stays set: the error handler outside this middleware logs with it.
        request_id_var.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _with_headers(
    headers: Iterable[tuple[bytes, bytes]],
    replaced: list[tuple[bytes, bytes]],
    defaults: tuple[tuple[bytes, bytes], ...],
) -> list[tuple[bytes, bytes]]:
    """The response headers with `replaced` set and `defaults` added where the handler set none."""
    replaced_names = {name for name, _ in replaced}
    kept = [(name, value) for name, value in headers if name.lower() not in replaced_names]
    present = {name.lower() for name, _ in kept}
    kept += replaced
    kept += [(name, value) for name, value in defaults if name not in present]
    return kept
