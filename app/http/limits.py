"""The request body limit: 413 problem+json for a declared or streamed body over the limit.

A Content-Length over the limit is refused before the app runs. A body without one (chunked)
is counted as the app receives it; the chunk that crosses the limit raises
`RequestBodyTooLarge`, an HTTPException that the app's error handlers render like any other.
Endpoints with a smaller limit of their own (the importer's file size) keep answering first.
"""

from http import HTTPStatus
from typing import Final

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import (
    WordedHTTPException,
    problem_language,
    problem_response,
    problem_title,
)
from app.core.messages import Message as Wording
from app.core.messages import message

# The type app.core.errors gives an HTTPException with this status, so both paths agree.
_SLUG: Final = HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase.lower().replace(" ", "-")
_NO_STORE: Final = {"Cache-Control": "no-store"}


def _detail(max_bytes: int) -> Wording:
    return message("http.body-too-large", limit=max_bytes)


class RequestBodyTooLarge(WordedHTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _detail(max_bytes), headers=dict(_NO_STORE))


def declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.isdigit():
        return None
    return int(value)


def has_body(scope: Scope) -> bool:
    """Whether the request says a body follows (RFC 9112 §6.3: without Content-Length or
    Transfer-Encoding, a request has none)."""
    return any(name in (b"content-length", b"transfer-encoding") for name, _ in scope["headers"])


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not has_body(scope):
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def receive_counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise RequestBodyTooLarge(self.max_body_bytes)
            return message

        async def send_tracking(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive_counting, send_tracking)
        except RequestBodyTooLarge:
            # Normally rendered inside the app; this covers a reader outside its handlers.
            if response_started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            status=413,
            title=problem_title(_SLUG),
            detail=_detail(self.max_body_bytes),
            slug=_SLUG,
            headers=dict(_NO_STORE),
            language=problem_language(scope),
            scope=scope,
        )
        await response(scope, receive, send)
