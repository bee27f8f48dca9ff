"""Rate limits in fixed one-minute windows: anonymous reads per client IP, writes per API key.

- Anonymous reads (GET/HEAD without `Authorization`/`X-API-Key`) count against the client IP,
  in the middleware, before the app runs.
- Reads with a key count against the client IP too, under a higher ceiling: the key is only
  checked later, so a made-up key must not lift the anonymous limit.
- Writes (any method but GET/HEAD/OPTIONS) are counted once the caller is known, by
  `count_write()` where authentication happens (app/dependencies.py): against the
  authenticated key's id, whichever header carried it, or against the client IP when no key
  authenticated (none sent, an unknown or revoked key, two credentials). Counting a header's raw
  value instead would give every made-up value a fresh count.
- Over the limit: 429 problem+json with `Retry-After`, the seconds to the window's end.

Counters live in this worker's memory by default, so each worker allows the limit on its own;
with `rate_limit.redis_url` they live in Redis (INCR + EXPIRE in one transaction) and are shared.
If Redis cannot be reached the limiter fails open: requests pass and a warning is logged, and
Redis is not tried again for a few seconds so an outage adds no latency to every request.
Client IPs are those the server reports: the connection's peer, or what a trusted proxy says
(`server.forwarded_allow_ips`, none by default).
"""

import logging
import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import RateLimitSettings
from app.core.errors import (
    WordedHTTPException,
    problem_language,
    problem_response,
    problem_title,
)
from app.core.messages import Message as Wording
from app.core.messages import message
from app.http.credentials import sent_credentials

WINDOW_S: Final = 60
# The type app.core.errors gives an HTTPException with this status, so both paths agree.
_SLUG: Final = HTTPStatus.TOO_MANY_REQUESTS.phrase.lower().replace(" ", "-")
_READ_METHODS = frozenset({"GET", "HEAD"})
_UNLIMITED_METHODS = _READ_METHODS | {"OPTIONS"}

logger = logging.getLogger(__name__)


class WindowCounter(Protocol):
    async def hit(self, key: str, *, window: int) -> int | None:
        """Count one request for `key` in `window`; the count so far, None when unknown."""
        ...

    async def aclose(self) -> None: ...


class MemoryCounter:
    """Counters for the current window only; a new window starts from an empty table."""

    def __init__(self) -> None:
        self._window: int | None = None
        self._counts: dict[str, int] = {}

    async def hit(self, key: str, *, window: int) -> int | None:
        if window != self._window:
            self._window = window
            self._counts.clear()
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    async def aclose(self) -> None:
        self._counts.clear()


class RedisCounter:
    """Counters shared by all workers; fails open (None) while Redis is unreachable."""

    def __init__(
        self, url: str, *, timeout_s: float = 0.5, pause_after_failure_s: float = 5.0
    ) -> None:
        self._url = url
        self._timeout_s = timeout_s
        self._pause_after_failure_s = pause_after_failure_s
        self._client: Redis | None = None
        self._paused_until = float("-inf")

    async def hit(self, key: str, *, window: int) -> int | None:
        if time.monotonic() < self._paused_until:
            return None
        try:
            if self._client is None:
                self._client = Redis.from_url(
                    self._url,
                    socket_timeout=self._timeout_s,
                    socket_connect_timeout=self._timeout_s,
                )
            async with self._client.pipeline(transaction=True) as pipeline:
                pipeline.incr(f"{key}:{window}")
                pipeline.expire(f"{key}:{window}", WINDOW_S + 1)
                count, _ = await pipeline.execute()
        except (RedisError, OSError) as exc:
            self._paused_until = time.monotonic() + self._pause_after_failure_s
            # The URL may hold a password: name the error only.
            logger.warning(
                "rate limit store unreachable (%s); not limiting for %.0f s",
                type(exc).__name__,
                self._pause_after_failure_s,
            )
            return None
        return int(count)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


@dataclass(frozen=True)
class Refusal:
    kind: str  # anonymous-reads, keyed-reads or writes: the catalogue's `http.<kind>-limited`
    limit: int
    retry_after_s: int

    @property
    def detail(self) -> Wording:
        return message(f"http.{self.kind}-limited", limit=self.limit, seconds=self.retry_after_s)

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s), "Cache-Control": "no-store"}


class TooManyRequests(WordedHTTPException):
    """A write over its limit, refused inside the app once the caller is known."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(429, refusal.detail, headers=refusal.headers)


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimiter:
    def __init__(
        self,
        counter: WindowCounter,
        *,
        anonymous_reads_per_minute: int,
        writes_per_minute: int,
        keyed_reads_per_minute: int,
        key_prefix: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.counter = counter
        self.anonymous_reads_per_minute = anonymous_reads_per_minute
        self.writes_per_minute = writes_per_minute
        self.keyed_reads_per_minute = keyed_reads_per_minute
        self.key_prefix = key_prefix
        self.clock = clock

    async def check_read(self, scope: Scope) -> Refusal | None:
        """Count a read against the client IP; None for other methods (writes are counted by
        `check_write` once the caller is known)."""
        if scope["method"] not in _READ_METHODS:
            return None
        if sent_credentials(Headers(scope=scope)):
            kind, limit = "keyed-reads", self.keyed_reads_per_minute
            key = f"{self.key_prefix}:keyed-read:ip:{client_ip(scope)}"
        else:
            kind, limit = "anonymous-reads", self.anonymous_reads_per_minute
            key = f"{self.key_prefix}:read:ip:{client_ip(scope)}"
        return await self._hit(key, kind=kind, limit=limit)

    async def check_write(self, who: str) -> Refusal | None:
        """Count a write by `who` (`key:<id>` or `ip:<address>`)."""
        return await self._hit(
            f"{self.key_prefix}:write:{who}", kind="writes", limit=self.writes_per_minute
        )

    async def _hit(self, key: str, *, kind: str, limit: int) -> Refusal | None:
        now = self.clock()
        window = int(now // WINDOW_S)
        count = await self.counter.hit(key, window=window)
        if count is None or count <= limit:
            return None
        return Refusal(kind, limit, max(1, math.ceil((window + 1) * WINDOW_S - now)))

    async def aclose(self) -> None:
        await self.counter.aclose()


def build_rate_limiter(settings: RateLimitSettings) -> RateLimiter:
    counter: WindowCounter = (
        RedisCounter(settings.redis_url.get_secret_value())
        if settings.redis_url is not None
        else MemoryCounter()
    )
    return RateLimiter(
        counter,
        anonymous_reads_per_minute=settings.anonymous_reads_per_minute,
        writes_per_minute=settings.writes_per_minute,
        keyed_reads_per_minute=settings.keyed_reads_per_minute,
        key_prefix=settings.key_prefix,
    )


class RateLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, exempt_paths: Collection[str]
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._closing_on_shutdown(receive), send)
            return
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        refusal = await self.limiter.check_read(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            status=429,
            title=problem_title(_SLUG),
            detail=refusal.detail,
            slug=_SLUG,
            headers=refusal.headers,
            language=problem_language(scope),
            scope=scope,
        )
        await response(scope, receive, send)

    def _closing_on_shutdown(self, receive: Receive) -> Receive:
        async def receive_and_close() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self.limiter.aclose()
            return message

        return receive_and_close


async def count_write(request: Request, *, key_id: int | None) -> None:
    """Count a write against the authenticated key's id, or the client IP when no key
    authenticated; TooManyRequests over the limit. Reads and OPTIONS are not counted here."""
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None or request.method in _UNLIMITED_METHODS:
        return
    who = f"key:{key_id}" if key_id is not None else f"ip:{client_ip(request.scope)}"
    refusal = await limiter.check_write(who)
    if refusal is not None:
        raise TooManyRequests(refusal)
