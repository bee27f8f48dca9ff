"""The headers that carry an API key, named once: authentication, the rate limiter, the
validators and the replay store must agree on which requests are keyed."""

from typing import Final

from starlette.datastructures import Headers

# As ASGI spells header names (lowercase): `Authorization: Bearer <key>` and `X-API-Key`.
CREDENTIAL_HEADERS: Final = (b"authorization", b"x-api-key")

Credentials = tuple[tuple[bytes, bytes], ...]


def sent_credentials(headers: Headers) -> Credentials:
    """The credential headers a request sent, each occurrence, in one pass over its headers:
    every request asks, so the list is read once and handed on rather than asked again."""
    return tuple((name, value) for name, value in headers.raw if name in CREDENTIAL_HEADERS)
