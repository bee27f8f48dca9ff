"""Application factory: lifespan (engine), routers under /api/v1, error handlers, operation ids."""

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cache
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig

from app import __version__
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_session_factory
from app.core.errors import install_error_handlers
from app.core.migrations import script_heads
from app.core.result_cache import ResultCache
from app.core.revision_feed import pushed_revisions
from app.dependencies import get_language, get_principal
from app.http import install_http_edge
from app.http.caching import release_tag
from app.http.logging import configure_logging
from app.http.security import PolicyPaths
from app.openapi import install_openapi
from app.pages import problems
from app.pages import router as pages
from app.pages.docs import DOCS_PATH, REDOC_PATH, install_docs_and_static
from app.routers import (
    breakdowns,
    criteria,
    dump,
    exports,
    health,
    history,
    imports,
    improvements,
    keys,
    publication,
    rankings,
    scores,
    templates,
    units,
    webhooks,
    years,
)
from app.services.access.key_cache import KeyCache
from app.services.webhooks.delivery import OutboxDrainer

API_PREFIX = "/api/v1"
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
# Every API call identifies its caller: an unknown or revoked key is refused even where the
# endpoint is open to anonymous readers. Every call also documents how its language is chosen:
# its problems are worded in it wherever they arise.
API_DEPENDENCIES = [Depends(get_principal), Depends(get_language)]
# Routers under API_PREFIX, in the order their operations appear in the OpenAPI document.
API_ROUTERS = (
    units,
    years,
    criteria,
    scores,
    rankings,
    breakdowns,
    improvements,
    history,
    exports,
    templates,
    dump,
    imports,
    publication,
    keys,
    webhooks,
)
# Beside the API: the docs, and the pages with their embeddable fragments (own CSP, same ETags).
SITE = PolicyPaths(
    docs=(DOCS_PATH, REDOC_PATH),
    page_exact=(*pages.PAGE_EXACT, *problems.PROBLEMS_EXACT),
    page_prefixes=(*pages.PAGE_PREFIXES, problems.PROBLEMS_PREFIX),
    embed_prefix=pages.EMBED_PREFIX,
)

# The cyclic collector's first threshold, raised from CPython's 700 allocations: a cold
# ranking of a thousand units allocates some forty thousand objects, nearly all freed by
# reference counting as the answer is sent, yet at 700 the collector ran sixty times during
# it and, every few requests, walked the whole heap of cached results (about 25 ms of its
# 170 ms on the benchmark data; 1 ms with this threshold). Cyclic garbage (rare here) waits
# for at most this many new objects. The older generations keep their defaults.
GC_THRESHOLDS: tuple[int, int, int] = (50_000, 10, 10)


def settle_garbage_collector() -> None:
    """Once start-up is done: start-up objects (modules, mappers, settings) live as long as
    the process, and moving them out of the collector's generations keeps full collections
    short on requests; then GC_THRESHOLDS."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def operation_id(route: APIRoute) -> str:
    """Stable, readable ids for generated clients: the path function's name in camelCase."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def lifespan(
    settings: Settings, release: Callable[[], str]
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: the engine, the webhook drainer, the release worked out once."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.metrics.database_pool.watch(engine)  # current on every worker's /metrics
        app.state.session_factory = create_session_factory(engine)
        app.state.migration_heads = script_heads()
        # Sends webhook deliveries in the background (unless APP_WEBHOOKS__ENABLED=false).
        drainer = OutboxDrainer(app.state.session_factory, settings.webhooks)
        drainer.start()
        release()  # worked out now rather than on the first request
        settle_garbage_collector()
        async with pushed_revisions(settings, app.state.result_cache) as app.state.revisions:
            yield
        await drainer.stop()
        await engine.dispose()

    return run


def create_app(
    settings: Settings | None = None,
    *,
    release: Callable[[], str] | None = None,
    configure_logs: bool = True,
) -> FastAPI:
    """The application; `release` names the code in ETags (default: current_release).

    `configure_logs=False` leaves the process's logging alone: for an app built only to read
    its OpenAPI document, whose default settings must not replace the running ones.
    """
    settings = settings or get_settings()
    release = release or current_release
    if configure_logs:
        configure_logging(settings.logging)

    app = FastAPI(
        title=settings.api_title,
        version=__version__,
        summary="Administrative reform (PAR) index results: units, criteria, scores, rankings.",
        lifespan=lifespan(settings, release),
        telemetry=None if settings.logging.opentelemetry else TELEMETRY_OFF,
        generate_unique_id_function=operation_id,
        # Served offline from packaged assets instead (app/pages/docs.py); no OAuth2 flows.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.result_cache = ResultCache(
        max_entries=settings.cache.max_entries,
        check_interval_s=settings.cache.revision_check_ms / 1000,
    )
    app.state.key_cache = (
        KeyCache(settings.auth.key_cache_s) if settings.auth.key_cache_s > 0 else None
    )
    install_error_handlers(app, database_retry_after_s=settings.database.retry_after_s)
    install_openapi(app)
    # The HTTP edge, outermost first: request id/logging, metrics, security headers, CORS, body
    # limit, rate limit, caching (app/http/edge.py). After the error handlers: it wraps the 500 one.
    install_http_edge(app, settings, api_prefix=API_PREFIX, release=release, site=SITE)
    install_docs_and_static(app)
    app.include_router(pages.router)
    app.include_router(problems.router)
    app.include_router(health.router)
    for module in API_ROUTERS:
        app.include_router(module.router, prefix=API_PREFIX, dependencies=API_DEPENDENCIES)
    return app


def default_document() -> dict[str, Any]:
    """The OpenAPI document of an app with default settings (no environment, no .env file):
    what `par-index openapi` writes to the committed openapi.json."""
    return create_app(Settings.model_construct(), configure_logs=False).openapi()


@cache
def current_release() -> str:
    """This build of the service: its version and a digest of its OpenAPI document.

    Worked out once per process: the code does not change while it runs, and building the
    document takes a moment.
    """
    return release_tag(__version__, default_document())
