"""Security headers on every response, with a Content-Security-Policy chosen by what is served.

- The API only returns data: its policy allows nothing at all.
- The pages (/, /years/…) are server-rendered HTML with one stylesheet from the service and
  inline SVG: styles and images from the service itself, no scripts, never framed.
- The embeddable fragments (/embed/…) are the same HTML, framed only by the origins listed in
  `security.frame_ancestors` (none by default).
- The interactive docs (/docs, /redoc) run Swagger UI and ReDoc from assets the service ships:
  scripts only from the service itself (no inline script), inline styles (both inject them),
  the OpenAPI document fetched from the service, ReDoc's search worker from a blob.

No policy names another host: a page works on a network closed to the internet, and nothing it
loads can come from elsewhere. Headers a handler has set already are left alone.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
_PAGE_DIRECTIVES: Final = (
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
)
_COMMON_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-site",
}


def page_csp(frame_ancestors: Sequence[str] = ()) -> str:
    """The pages' policy; `frame_ancestors` are the origins that may frame it (none if empty)."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return "; ".join((*_PAGE_DIRECTIVES, f"frame-ancestors {ancestors}"))


@dataclass(frozen=True)
class Policy:
    csp: str
    # X-Frame-Options for browsers without CSP frame-ancestors; None where framing is allowed,
    # since DENY would contradict the listed origins.
    frame_options: str | None = "DENY"


@dataclass(frozen=True)
class PolicyPaths:
    """Which paths are docs, pages and embeddable fragments; everything else is the API."""

    docs: Collection[str] = ()
    page_exact: Collection[str] = ()
    page_prefixes: Sequence[str] = ()
    embed_prefix: str | None = None


class SecurityHeaders:
    """The headers each path gets where the handler set none, worked out once per policy."""

    def __init__(
        self,
        *,
        paths: PolicyPaths,
        frame_ancestors: Sequence[str] = (),
        hsts_max_age_s: int | None,
    ) -> None:
        self.paths = paths
        self.docs_paths = frozenset(paths.docs)
        self.page_paths = frozenset(paths.page_exact)
        self.page_prefixes = tuple(paths.page_prefixes)
        common = dict(_COMMON_HEADERS)
        if hsts_max_age_s is not None:
            common["Strict-Transport-Security"] = f"max-age={hsts_max_age_s}; includeSubDomains"
        embed_policy = Policy(
            page_csp(frame_ancestors), frame_options=None if frame_ancestors else "DENY"
        )
        self._docs = _encoded(common, Policy(DOCS_CSP))
        self._embed = _encoded(common, embed_policy)
        self._page = _encoded(common, Policy(page_csp()))
        self._api = _encoded(common, Policy(API_CSP))

    def for_path(self, path: str) -> tuple[tuple[bytes, bytes], ...]:
        if path in self.docs_paths:
            return self._docs
        embed = self.paths.embed_prefix
        if embed is not None and (path == embed or path.startswith(embed + "/")):
            return self._embed
        if path in self.page_paths or path.startswith(self.page_prefixes):
            return self._page
        return self._api


def _encoded(common: dict[str, str], policy: Policy) -> tuple[tuple[bytes, bytes], ...]:
    headers = dict(common)
    if policy.frame_options is not None:
        headers["X-Frame-Options"] = policy.frame_options
    headers["Content-Security-Policy"] = policy.csp
    return tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    )
