"""Security headers on every response; a looser CSP for the interactive docs pages.

The API only returns data, so its Content-Security-Policy allows nothing at all. Swagger UI
(/docs) and ReDoc (/redoc) are HTML pages that load their scripts, styles and fonts from the
CDNs FastAPI points them at and run an inline bootstrap script; their policy allows exactly that.
Headers a handler has set already are left alone.
"""

from collections.abc import Collection
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "font-src https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
_COMMON_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-site",
}


class SecurityHeadersMiddleware:
    def __init__(
        self, app: ASGIApp, *, docs_paths: Collection[str], hsts_max_age_s: int | None
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        self.headers = dict(_COMMON_HEADERS)
        if hsts_max_age_s is not None:
            self.headers["Strict-Transport-Security"] = (
                f"max-age={hsts_max_age_s}; includeSubDomains"
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in self.docs_paths else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)
