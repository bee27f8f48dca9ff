"""HTTP caching of the API and the pages: ETags from the data revision, 304s, Cache-Control, Vary.

Every write bumps the data revision in its own transaction (repositories/revision.py), so a
representation is identified by the revision plus what selects it (method, path, sorted query,
Accept, Accept-Language, whether credentials were sent): no need to hash the body. The running
release (version and OpenAPI digest) is part of every tag too, so a deployment that changes a
response's shape but no data does not answer 304 for the old body.

The revision is read *before* the handler runs, so the body is at least as new as its ETag
claims (a write landing meanwhile makes the ETag older than the body, which only costs a
refetch later). The worker trusts its reading for `cache.revision_check_ms`, like the result
cache. `If-None-Match` is compared only once a handler answered this caller 200 at this
revision, so authentication and draft visibility have been checked; a match answers 304
without the body. The first time that is after the handler ran; a caller asking again is
answered from the replay store (app/http/replay.py) before any handler runs.

Reads whose data changes without a new revision (keys, webhooks, import attempts, the audit
trail) set `no-store` themselves (app/dependencies.NOT_CACHED): no ETag, no 304, nothing kept.

Cache-Control: anonymous 200s are `public, max-age=60` (drafts are never shown anonymously);
with credentials `private, no-cache`; everything else `no-store`.
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.result_cache import ResultCache
from app.http.credentials import Credentials, sent_credentials
from app.http.replay import (
    Answer,
    Recorder,
    ReplayStore,
    answer_again,
    claim_key_refresh,
    replay_caller,
    replay_identity,
    send_not_modified,
)
from app.repositories.revision import RevisionRepository

PUBLIC: Final = "public, max-age=60"
PRIVATE: Final = "private, no-cache"
NO_STORE: Final = "no-store"
VARY_ON: Final = ("Accept", "Accept-Language", "Authorization", "X-API-Key")
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
    digest = _selector_digest(method, path, query_string, accept, accept_language, credentialed)
    return f'"{revision}-{release}-{digest}"'


@lru_cache(maxsize=4096)
def _selector_digest(
    method: str, path: str, query_string: str, accept: str, accept_language: str, credentialed: bool
) -> str:
    # The same few requests come again and again: their digests are worked out once.
    query = urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))
    parts = (method, path, query, accept, accept_language, "credentialed" if credentialed else "")
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


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
    if factory is None:
        return cache.revision

    async def read() -> int:
        async with factory() as session:
            return await RevisionRepository(session).current()

    try:
        return await cache.checked_revision(read)
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("data revision unreadable (%s); no ETag", type(exc).__name__)
        return None


class HttpCacheMiddleware:
    """ETags and Cache-Control for the API and for the pages built from the same data.

    `prefixes` and `exact_paths` say what is covered (the API prefix, the pages' paths);
    anything else (docs, static files, probes, metrics) passes untouched. `release` names the
    code serving them in every ETag. With a `replay` store, a caller asking again for what it
    was given at this revision is answered from the store, before any handler runs
    (app/http/replay.py says why that is safe).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: Sequence[str],
        release: Callable[[], str],
        exact_paths: Collection[str] = (),
        replay: ReplayStore | None = None,
    ) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self.exact_paths = frozenset(exact_paths)
        # Called per request; the application caches the value (it is fixed per process).
        self.release = release
        self.replay = replay

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
        revision = await known_revision(scope["app"].state)
        if revision is None:
            await self.app(scope, receive, _no_store(send))
            return
        request = Conditional.of(scope, headers, revision, self.release())
        # Only GET is answered again: what HEAD and the other methods get is the handlers' call.
        replaying = self.replay is not None and scope["method"] == "GET"
        caller, key_hash = (
            replay_identity(scope, headers, request.credentials) if replaying else (None, None)
        )
        # The one request that reads its key again goes to the handlers, which do the reading.
        refreshing = key_hash is not None and claim_key_refresh(scope, key_hash)
        try:
            if self.replay is not None and caller is not None and not refreshing:
                answer = self.replay.get(revision, request.etag, caller)
                not_modified = request.matches(request.etag)
                if answer is not None and await answer_again(scope, send, answer, not_modified):
                    return
            await self.app(scope, receive, self._validating(scope, headers, request, send))
        finally:
            if refreshing:
                scope["app"].state.key_cache.release(key_hash)

    def _validating(
        self, scope: Scope, headers: Headers, request: "Conditional", send: Send
    ) -> Send:
        """`send` adding the validators to a 200, or turning it into a 304; keeps the answer."""
        recorder: Recorder | None = None
        not_modified = False

        async def send_with_validators(message: Message) -> None:
            nonlocal not_modified, recorder
            if message["type"] != "http.response.start":
                if recorder is not None and recorder.add(message):
                    self._keep(scope, headers, request, recorder.answer(scope))
                if not not_modified:
                    await send(message)
                return
            message.setdefault("headers", [])
            response_headers = MutableHeaders(scope=message)
            if message["status"] != 200 or NO_STORE in response_headers.get("cache-control", ""):
                response_headers.setdefault("Cache-Control", NO_STORE)
                await send(message)
                return
            response_headers["ETag"] = request.etag
            response_headers.setdefault(
                "Cache-Control", PRIVATE if request.credentialed else PUBLIC
            )
            response_headers["Vary"] = merge_vary(response_headers.get("Vary"), VARY_ON)
            if self.replay is not None and scope["method"] == "GET":
                recorder = Recorder(message["headers"], self.replay.max_entry_bytes)
            if request.matches(request.etag):
                not_modified = True
                await send_not_modified(send, message["headers"])
                return
            await send(message)

        return send_with_validators

    def _keep(self, scope: Scope, headers: Headers, request: "Conditional", answer: Answer) -> None:
        # Asked after the handler: a key it has just authenticated is known by now.
        caller = replay_caller(scope, headers, request.credentials)
        if self.replay is not None and caller is not None:
            self.replay.put(request.revision, request.etag, caller, answer)


class Conditional:
    """What a GET or HEAD is identified by (its ETag) and the validators it sent."""

    __slots__ = ("credentials", "etag", "if_none_match", "revision")

    def __init__(
        self, etag: str, revision: int, credentials: Credentials, if_none_match: str | None
    ):
        self.etag = etag
        self.revision = revision
        self.credentials = credentials
        self.if_none_match = if_none_match

    @property
    def credentialed(self) -> bool:
        return bool(self.credentials)

    @classmethod
    def of(cls, scope: Scope, headers: Headers, revision: int, release: str) -> "Conditional":
        credentials = sent_credentials(headers)
        etag = make_etag(
            revision,
            release=release,
            method="GET",  # HEAD describes the GET representation
            path=scope["path"],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            accept=headers.get("accept", ""),
            accept_language=headers.get("accept-language", ""),
            credentialed=bool(credentials),
        )
        if_none_match = ", ".join(headers.getlist("if-none-match")) or None
        return cls(etag, revision, credentials, if_none_match)

    def matches(self, etag: str) -> bool:
        return self.if_none_match is not None and if_none_match_matches(self.if_none_match, etag)


def _no_store(send: Send) -> Send:
    async def send_no_store(message: Message) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            MutableHeaders(scope=message).setdefault("Cache-Control", NO_STORE)
        await send(message)

    return send_no_store
