"""install_http_edge(): logging, metrics and the HTTP edge middleware, in one documented order.

Outermost first (a request passes down this list, its response back up):

1. front (http/front.py)    — request id + access log, metrics by route template, security
                               headers: sees every answer, including the ones refused below it
                               (413, 429, CORS preflights); the docs, pages and fragments get
                               their own CSP (http/security.py)
2. HEAD (http/head.py)      — runs a HEAD as the GET and sends its headers only, so every
                               layer below treats it as the GET it describes
3. CORS                     — so browsers can read 413/429 answers and their Retry-After
4. body limit               — refuses oversized bodies before anything is counted or read
5. rate limit               — refuses reads before the database is touched (writes are
                               counted after authentication, by the API key's id)
6. HTTP caching             — innermost: sees the handler's status, adds ETag/304/Cache-Control
                               (the API and the pages alike)

Starlette wraps each added middleware around the ones added before it, so they are added
innermost first. Health probes and /metrics are not rate limited.
"""

from collections.abc import Callable

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.middleware.cors import CORSMiddleware

from app.core.config import Settings
from app.http import cors
from app.http.caching import HttpCacheMiddleware
from app.http.front import FrontMiddleware
from app.http.head import HeadMiddleware
from app.http.limits import BodyLimitMiddleware
from app.http.logging import add_request_id_to_error_responses
from app.http.metrics import (
    METRICS_PATH,
    HttpMetrics,
    RouteTemplates,
    add_metrics_route,
)
from app.http.rate_limit import RateLimitMiddleware, build_rate_limiter
from app.http.replay import ReplayStore
from app.http.security import PolicyPaths, SecurityHeaders

NOT_RATE_LIMITED = frozenset({"/healthz", "/readyz", METRICS_PATH})


def install_http_edge(
    app: FastAPI,
    settings: Settings,
    *,
    api_prefix: str,
    release: Callable[[], str],
    site: PolicyPaths | None = None,
) -> None:
    """Call once from create_app(), after the error handlers are installed.

    `release` names the code serving the API in every ETag. `site` names the docs, the pages
    and the embeddable fragments: they get their own Content-Security-Policy, and the pages
    and fragments the API's ETag rules.
    """
    site = site or PolicyPaths()
    add_request_id_to_error_responses(app)

    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, RouteTemplates())
    # The lifespan has the pool watched once it has made the engine (app/main.py).
    app.state.metrics = metrics
    add_metrics_route(app, registry, metrics)

    page_prefixes = [*site.page_prefixes, *([site.embed_prefix] if site.embed_prefix else [])]
    app.add_middleware(
        HttpCacheMiddleware,
        prefixes=[api_prefix, *page_prefixes],
        exact_paths=site.page_exact,
        release=release,
        replay=(
            ReplayStore(max_bytes=settings.cache.replay_max_bytes)
            if settings.cache.replay_max_bytes
            else None
        ),
    )
    # Reads are limited here; writes where the caller is authenticated (rate_limit.count_write).
    app.state.rate_limiter = None
    if settings.rate_limit.enabled:
        limiter = build_rate_limiter(settings.rate_limit)
        app.state.rate_limiter = limiter
        app.add_middleware(RateLimitMiddleware, limiter=limiter, exempt_paths=NOT_RATE_LIMITED)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.limits.max_body_bytes)
    if settings.cors.allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors.allow_origins,
            allow_methods=cors.ALLOW_METHODS,
            allow_headers=cors.ALLOW_HEADERS,
            expose_headers=cors.EXPOSE_HEADERS,
            max_age=cors.PREFLIGHT_MAX_AGE_S,
        )
    security = SecurityHeaders(
        paths=site,
        frame_ancestors=settings.security.frame_ancestors,
        hsts_max_age_s=settings.security.hsts_max_age_s if settings.security.hsts else None,
    )
    app.add_middleware(HeadMiddleware)
    app.add_middleware(FrontMiddleware, metrics=metrics, security=security)
