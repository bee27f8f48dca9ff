"""Answers already given, kept so a repeat is answered before any handler runs.

A cacheable answer is fully identified by its ETag (data revision, release, path, query,
Accept, Accept-Language, whether credentials were sent: app/http/caching.py) plus *who* asked.
So when the same caller asks again at the same revision, the worker can send the same bytes
again, or a 304 when the caller already holds them, without resolving dependencies, opening a
session or rendering: the handler that answered the first time already checked the caller's
right to the answer.

"Who" is as precise as the caller is known before any handler runs:

* anonymous: no credential header at all;
* one API key that authenticated in this worker within the key cache's time to live
  (app/services/access/key_cache.py): the key's id, so one key never receives what was built
  for another, and a revoked key, dropped from that cache, falls through to the handlers;
* anything else (an unknown key, two credentials, `Authorization: Basic`): nobody the store
  knows; the handlers decide, as they always do.

Entries live for one revision: the store empties itself when it is asked about another one.
Bodies above `max_entry_bytes` are not kept, only that the answer was given (enough for a
304); the bodies kept add up to at most `max_bytes` and the answers to `max_entries`, the
least recently used dropped first.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.types import Message, Scope, Send

from app.http.credentials import Credentials, sent_credentials
from app.services.access.api_keys import hash_key
from app.services.access.key_cache import READ_KEY_AGAIN, KeyCache

ANONYMOUS: Final = "anonymous"
_MiB: Final = 1024 * 1024
# Sent again with a 304 (RFC 9110 §15.4.5); the body's own headers are dropped.
KEPT_ON_304: Final = frozenset(
    {b"etag", b"cache-control", b"vary", b"content-location", b"expires", b"date"}
    | {b"last-modified"}
)


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete 200 as it left the handler: its headers, its body (None when too large to
    keep) and the route that served it (metrics label replays by its template)."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes | None
    route: object | None

    @property
    def size(self) -> int:
        return len(self.body) if self.body is not None else 0


def replay_caller(scope: Scope, headers: Headers, sent: Credentials) -> str | None:
    """Who asks, as the store knows callers (`known_caller`), and on which host: an answer may
    only be given again to the same caller asking the same host. `sent` is
    credentials.sent_credentials(headers)."""
    return replay_identity(scope, headers, sent)[0]


def replay_identity(
    scope: Scope, headers: Headers, sent: Credentials
) -> tuple[str | None, str | None]:
    """`replay_caller`, and the hash of the caller's kept key when it is a key."""
    state = scope["app"].state
    caller, key_hash = _identify(
        sent, state.key_cache, anonymous=state.settings.auth.anonymous_read
    )
    return (None if caller is None else f"{caller}@{headers.get('host', '')}"), key_hash


def known_caller(headers: Headers, keys: KeyCache | None, *, anonymous: bool = True) -> str | None:
    """`anonymous`, `key:<id>` for a key this worker knows to be valid now, else None."""
    return _identify(sent_credentials(headers), keys, anonymous=anonymous)[0]


def claim_key_refresh(scope: Scope, key_hash: str) -> bool:
    """When the caller's kept key is due to be read again and no other request is reading it,
    this request does: it goes to the handlers, marked so that authentication reads the key
    (READ_KEY_AGAIN), while the key's other requests go on being answered. True when claimed:
    the caller must `release` the claim once the request is over."""
    keys: KeyCache = scope["app"].state.key_cache
    if not keys.claim_refresh(key_hash):
        return False
    scope.setdefault("state", {})[READ_KEY_AGAIN] = key_hash
    return True


def _identify(
    sent: Credentials, keys: KeyCache | None, *, anonymous: bool
) -> tuple[str | None, str | None]:
    if not sent:
        return (ANONYMOUS if anonymous else None), None
    key = _one_key(sent)
    if keys is None or key is None:
        return None, None
    key_hash = hash_key(key)
    principal = keys.get(key_hash)
    if principal is None or principal.key_id is None:
        return None, None
    return f"key:{principal.key_id}", key_hash


def _one_key(sent: Credentials) -> str | None:
    """The request's API key when it sends exactly one credential, a key or a bearer token."""
    if len(sent) != 1:
        return None
    name, value = sent[0]
    if name == b"x-api-key":
        return value.decode("latin-1")
    scheme, key = get_authorization_scheme_param(value.decode("latin-1"))
    return key if scheme.lower() == "bearer" and key else None


class ReplayStore:
    """The answers of one data revision, by (ETag, caller)."""

    def __init__(
        self, *, max_bytes: int = 64 * _MiB, max_entry_bytes: int = _MiB, max_entries: int = 10_000
    ) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.max_entries = max_entries
        self.revision: int | None = None
        self.bytes_kept = 0
        self._answers: OrderedDict[tuple[str, str], Answer] = OrderedDict()

    def get(self, revision: int, etag: str, caller: str) -> Answer | None:
        self._follow(revision)
        answer = self._answers.get((etag, caller))
        if answer is not None:
            self._answers.move_to_end((etag, caller))
        return answer

    def put(self, revision: int, etag: str, caller: str, answer: Answer) -> None:
        """Keep an answer built at `revision`, unless the store has moved past it meanwhile."""
        if self.revision is not None and revision < self.revision:
            return
        self._follow(revision)
        if answer.size > self.max_entry_bytes:
            answer = Answer(answer.headers, None, answer.route)
        previous = self._answers.pop((etag, caller), None)
        self.bytes_kept += answer.size - (previous.size if previous else 0)
        self._answers[(etag, caller)] = answer
        while self._answers and (
            self.bytes_kept > self.max_bytes or len(self._answers) > self.max_entries
        ):
            _, dropped = self._answers.popitem(last=False)
            self.bytes_kept -= dropped.size

    def __len__(self) -> int:
        return len(self._answers)

    def _follow(self, revision: int) -> None:
        if revision != self.revision:
            self._answers.clear()
            self.bytes_kept = 0
            self.revision = revision


class Recorder:
    """Collects a 200 as it is sent, up to `max_body_bytes` of body."""

    def __init__(self, headers: Iterable[tuple[bytes, bytes]], max_body_bytes: int) -> None:
        self.headers = tuple(headers)
        self.max_body_bytes = max_body_bytes
        self.chunks: list[bytes] | None = []
        self.size = 0

    def add(self, message: Message) -> bool:
        """Take one body message; True once the body is complete."""
        body = message.get("body", b"")
        self.size += len(body)
        if self.chunks is not None:
            if self.size > self.max_body_bytes:
                self.chunks = None
            elif body:
                self.chunks.append(body)
        return not message.get("more_body", False)

    def answer(self, scope: Scope) -> Answer:
        body = None if self.chunks is None else b"".join(self.chunks)
        return Answer(self.headers, body, scope.get("route"))


async def answer_again(scope: Scope, send: Send, answer: Answer, not_modified: bool) -> bool:
    """Send `answer` again, or a 304 when the caller holds it (`not_modified`); False when the
    body was not kept and is needed."""
    if not not_modified and answer.body is None:
        return False
    # Metrics label the request by the route that answered the first time.
    scope["route"] = answer.route
    if not_modified:
        await send_not_modified(send, answer.headers)
        return True
    await send({"type": "http.response.start", "status": 200, "headers": list(answer.headers)})
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})
    return True


async def send_not_modified(send: Send, headers: Iterable[tuple[bytes, bytes]]) -> None:
    kept = [(name, value) for name, value in headers if name.lower() in KEPT_ON_304]
    await send({"type": "http.response.start", "status": 304, "headers": kept})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
