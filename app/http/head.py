"""HEAD wherever GET is: a HEAD runs as the GET, and only its status and headers are sent.

FastAPI routes declare GET only, so a HEAD used to answer 405. This layer sits just inside
the front one (app/http/edge.py): everything below it (CORS, body and rate limits, the caching
layer with its replay store and 304s, the routes) sees a GET, so a HEAD is counted as a read,
answered from the replay store and validated like the GET it describes. The front layer still
sees the HEAD: the access log and the metrics name the method that was asked, and the route
template that answered.

The headers are the GET's, with the Content-Length of its body (RFC 9110 §9.3.2): an answer
that does not state one (a streamed download) is run to its end to count its bytes.
"""

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CONTENT_LENGTH: Final = b"content-length"
# Set on the scope by the routing below; the front layer's metrics label the request with it.
_ROUTING_KEYS: Final = ("route", "endpoint", "path_params")


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the server must still know it answers a HEAD, and sends no body for it.
        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, HeadersOnly(send))
        finally:
            for key in _ROUTING_KEYS:
                if key in as_get:
                    scope[key] = as_get[key]


class HeadersOnly:
    """A `send` that passes the GET's status and headers on and drops its body."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.held: Message | None = None  # a start without Content-Length, until it is counted
        self.length = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if _states_length(message):
                await self.send(message)
            else:
                self.held = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.length += len(message.get("body", b""))
        if message.get("more_body", False):
            return
        if self.held is not None:
            length = str(self.length).encode("latin-1")
            self.held["headers"] = [*self.held.get("headers", ()), (_CONTENT_LENGTH, length)]
            await self.send(self.held)
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})


def _states_length(start: Message) -> bool:
    """True when the start can go at once: it names its length, or its status has no body."""
    status: int = start["status"]
    if status < 200 or status in (204, 304):
        return True
    return any(name.lower() == _CONTENT_LENGTH for name, _ in start.get("headers", ()))
