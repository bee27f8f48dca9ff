"""HTTP caching of the API and the pages: ETags from the data revision, 304s, Cache-Control, Vary.

Every write bumps the data revision in its own transaction (repositories/revision.py), so a
representation is identified by the revision plus what selects it (method, path, sorted query,
Accept, Accept-Language, whether credentials were sent): no need to hash the body. The running
release (version and OpenAPI digest) is part of every tag too, so a deployment that changes a
response's shape but no data does not answer 304 for the old body.

The revision is read *before* the handler runs, so the body is at least as new as its ETag
claims (a write landing meanwhile makes the ETag older than the body, which only costs a
refetch later). The worker trusts its reading for `cache.revision_check_ms`, like the result
cache. `If-None-Match` is compared only *after* the handler answered 200, so authentication and
draft visibility have been checked; a match answers 304 without the body.

Cache-Control: anonymous 200s are `public, max-age=60` (drafts are never shown anonymously);
with credentials `private, no-cache`; everything else `no-store`.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.result_cache import ResultCache
from app.repositories.revision import RevisionRepository

PUBLIC: Final = "public, max-age=60"
PRIVATE: Final = "private, no-cache"
NO_STORE: Final = "no-store"
VARY_ON: Final = ("Accept", "Accept-Language", "Authorization", "X-API-Key")
CREDENTIAL_HEADERS: Final = ("authorization", "x-api-key")
# Sent again with a 304 (RFC 9110 §15.4.5); the body's own headers are dropped.
_KEPT_ON_304 = frozenset(
    {b"etag", b"cache-control", b"vary", b"content-location", b"expires", b"date"}
    | {b"last-modified"}
)
_CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
_ENTITY_TAG = re.compile(r'\s*((?:W/)?"[^"]*")\s*(?:,|\Z)')

logger = logging.getLogger(__name__)


def release_tag(version: str, document: Mapping[str, Any]) -> str:
    """`<version>+<8 hex>`: the application's version and a digest of its OpenAPI document.

    A new contract changes the digest by itself; a release that changes bodies in a way the
    contract does not show needs a new version.
    """
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{version}+{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def make_etag(
    revision: int,
    *,
    release: str,
    method: str,
    path: str,
    query_string: str,
    accept: str,
    accept_language: str,
    credentialed: bool,
) -> str:
    """`"<revision>-<release>-<16 hex>"`: the data revision, the code serving it, then a digest
    of what selects the representation."""
    query = urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))
    parts = (method, path, query, accept, accept_language, "credentialed" if credentialed else "")
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f'"{revision}-{release}-{digest}"'


def parse_if_none_match(value: str) -> Literal["*"] | list[str]:
    """The entity tags listed (with any W/ prefix), "*", or [] when the header is malformed."""
    if value.strip() == "*":
        return "*"
    tags: list[str] = []
    position = 0
    while position < len(value):
        if value[position] in " \t,":
            position += 1
            continue
        match = _ENTITY_TAG.match(value, position)
        if match is None:
            return []
        tags.append(match.group(1))
        position = match.end()
    return tags


def if_none_match_matches(value: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: "*" matches any current representation; tags compare weakly."""
    tags = parse_if_none_match(value)
    if tags == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in tags)


def merge_vary(existing: str | None, extra: Iterable[str]) -> str:
    names = [name.strip() for name in (existing or "").split(",") if name.strip()]
    if "*" in names:
        return "*"
    seen = {name.lower() for name in names}
    names += [name for name in extra if name.lower() not in seen]
    return ", ".join(names)


async def known_revision(state: Any) -> int | None:
    """This worker's reading of the data revision, read again when it is due."""
    cache: ResultCache | None = getattr(state, "result_cache", None)
    if cache is None:
        return None
    factory = getattr(state, "session_factory", None)
    if factory is not None and (cache.revision is None or cache.needs_check()):
        try:
            async with factory() as session:
                revision = await RevisionRepository(session).current()
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("data revision unreadable (%s); no ETag", type(exc).__name__)
            return None
        cache.sync(revision)
    return cache.revision


class HttpCacheMiddleware:
    """ETags and Cache-Control for the API and for the pages built from the same data.

    `prefixes` and `exact_paths` say what is covered (the API prefix, the pages' paths);
    anything else (docs, static files, probes, metrics) passes untouched. `release` names the
    code serving them in every ETag.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: Sequence[str],
        release: Callable[[], str],
        exact_paths: Collection[str] = (),
    ) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self.exact_paths = frozenset(exact_paths)
        # Called per request; the application caches the value (it is fixed per process).
        self.release = release

    def covers(self, path: str) -> bool:
        return path in self.exact_paths or path.startswith(self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in _CACHEABLE_METHODS:
            await self.app(scope, receive, _no_store(send))
            return
        headers = Headers(scope=scope)
        credentialed = any(name in headers for name in CREDENTIAL_HEADERS)
        revision = await known_revision(scope["app"].state)
        if revision is None:
            await self.app(scope, receive, _no_store(send))
            return
        etag = make_etag(
            revision,
            release=self.release(),
            method="GET",  # HEAD describes the GET representation
            path=scope["path"],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            accept=headers.get("accept", ""),
            accept_language=headers.get("accept-language", ""),
            credentialed=credentialed,
        )
        if_none_match = ", ".join(headers.getlist("if-none-match")) or None
        not_modified = False

        async def send_with_validators(message: Message) -> None:
            nonlocal not_modified
            if message["type"] != "http.response.start":
                if not not_modified:
                    await send(message)
                return
            message.setdefault("headers", [])
            response_headers = MutableHeaders(scope=message)
            if message["status"] != 200:
                response_headers.setdefault("Cache-Control", NO_STORE)
                await send(message)
                return
            response_headers["ETag"] = etag
            response_headers.setdefault("Cache-Control", PRIVATE if credentialed else PUBLIC)
            response_headers["Vary"] = merge_vary(response_headers.get("Vary"), VARY_ON)
            if if_none_match is not None and if_none_match_matches(if_none_match, etag):
                not_modified = True
                kept = [(k, v) for k, v in message["headers"] if k.lower() in _KEPT_ON_304]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, send_with_validators)


def _no_store(send: Send) -> Send:
    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            MutableHeaders(scope=message).setdefault("Cache-Control", NO_STORE)
        await send(message)

    return send_no_store
