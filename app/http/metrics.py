"""Prometheus metrics at GET /metrics: requests and latency by route template, DB pool gauges,
and the requests a database outage answered with 503.

Labels stay bounded: the method (unknown ones become "other"), the route *template*
(`/api/v1/years/{year}/rankings/{group}`, never the raw path; "unmatched" when no route
matches) and the status class (`2xx` …). Each app has its own registry, so building several
apps in one process (the tests) never registers a metric twice.

Several workers (`par-index serve --workers N`) run in Prometheus' multiprocess mode: with
PROMETHEUS_MULTIPROC_DIR set before prometheus_client is imported, every process writes its
values to files there, and /metrics on any worker reads all the files: counters and histograms
summed over the workers, the pool gauges summed over the live ones.
"""

import asyncio
import os
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from app.core.errors import DATABASE_UNAVAILABLE

METRICS_PATH: Final = "/metrics"
# prometheus_client's own variable: read when it is imported, so set before a worker starts.
MULTIPROCESS_DIR_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED: Final = "unmatched"
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LABELS = ("method", "route", "status")
# (metric name, pool method, help); the pool may lack a method (SQLite's may), then it is left out.
_POOL_GAUGES = (
    ("db_pool_checked_out", "checkedout", "Database connections in use."),
    ("db_pool_size", "size", "Connections the pool keeps open."),
    ("db_pool_overflow", "overflow", "Connections beyond the pool size (negative: spare room)."),
)


class RouteTemplates:
    """The template of the route that served (or would serve) a request."""

    def __init__(self) -> None:
        self._contexts: list[RouteContext] | None = None
        self._by_route: dict[int, str | None] = {}

    def template(self, scope: Scope) -> str:
        contexts = self._route_contexts(scope["app"])
        # FastAPI puts the matched route in the scope, but an included router's route knows
        # only its path inside that router; the full template comes from its include context.
        route = scope.get("route")
        if route is not None and (known := self._by_route.get(id(route))):
            return known
        # Not routed (refused by an outer middleware) or ambiguous: match as the router would.
        partial: str | None = None
        for context in contexts:
            match, _ = context.matches(scope)
            if match is Match.FULL:
                return context.path_format or UNMATCHED
            if match is Match.PARTIAL and partial is None:
                partial = context.path_format
        return partial or UNMATCHED

    def _route_contexts(self, app: FastAPI) -> list[RouteContext]:
        # Built once, at the first request, when every route has been added.
        if self._contexts is None:
            self._contexts = list(iter_route_contexts(app.routes))
            for context in self._contexts:
                key = id(context.original_route)
                seen = self._by_route.get(key, context.path_format)
                # A route included under two prefixes has no single template: match instead.
                self._by_route[key] = context.path_format if seen == context.path_format else None
        return self._contexts


class DatabasePoolGauges:
    """The engine's connection pool. The worker answering /metrics reads its own pool then, and
    each worker updates the gauges after every checkout and checkin (`watch`, from the app's
    lifespan), so that the sum over the live workers that multiprocess mode reports is current."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.gauges = [
            (method, Gauge(name, help_, registry=registry, multiprocess_mode="livesum"))
            for name, method, help_ in _POOL_GAUGES
        ]

    def refresh(self, engine: AsyncEngine | None) -> None:
        pool: Any = getattr(engine, "pool", None)
        for method, gauge in self.gauges:
            read = getattr(pool, method, None)
            value = read() if callable(read) else None
            if isinstance(value, int):
                gauge.set(value)

    def watch(self, engine: AsyncEngine) -> None:
        def refresh_soon(*_: Any) -> None:
            # The pool fires these events before it updates its counts (a checked-in connection
            # is still counted as out): read them once the pool has finished.
            try:
                asyncio.get_running_loop().call_soon(self.refresh, engine)
            except RuntimeError:  # no loop in this thread: read at once, possibly one behind
                self.refresh(engine)

        for name in ("checkout", "checkin", "close", "detach"):
            event.listen(engine.sync_engine.pool, name, refresh_soon)
        self.refresh(engine)


class HttpMetrics:
    """The request counters; `observe()` is called by the front middleware (app/http/front.py)
    once per answer, refusals included."""

    def __init__(self, registry: CollectorRegistry, templates: RouteTemplates) -> None:
        self.templates = templates
        self.database_pool = DatabasePoolGauges(registry)
        self.requests = Counter(
            "http_requests", "HTTP requests answered.", _LABELS, registry=registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request until its response is complete.",
            _LABELS,
            registry=registry,
        )
        self.database_unavailable = Counter(
            "database_unavailable",
            "Requests answered 503 because the database could not be reached.",
            registry=registry,
        )
        # The labelled children, looked up once per label set rather than on every request.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, scope: Scope, status: int, elapsed_s: float) -> None:
        method = scope["method"] if scope["method"] in _KNOWN_METHODS else "other"
        labels = (method, self.templates.template(scope), f"{status // 100}xx")
        children = self._children.get(labels)
        if children is None:
            children = (self.requests.labels(*labels), self.duration.labels(*labels))
            self._children[labels] = children
        children[0].inc()
        children[1].observe(elapsed_s)
        # The error handler marks the request in its state, which lives in the scope.
        if scope.get("state", {}).get(DATABASE_UNAVAILABLE):
            self.database_unavailable.inc()


def multiprocess_dir() -> Path | None:
    """Where the workers write their metrics, or None when this process is on its own."""
    configured = os.environ.get(MULTIPROCESS_DIR_ENV)
    return Path(configured) if configured else None


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


def forget_dead_workers(directory: Path) -> None:
    """Drop the live-gauge files of workers that died (a worker killed, then replaced by the
    supervisor, cannot clean up after itself); their counters stay, they were served."""
    for path in directory.glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _is_running(int(pid)):
            mark_process_dead(int(pid), str(directory))  # type: ignore[no-untyped-call]


def scrape_registry(own: CollectorRegistry) -> CollectorRegistry:
    """This process's registry, or in multiprocess mode one reading every worker's files."""
    directory = multiprocess_dir()
    if directory is None:
        return own
    forget_dead_workers(directory)
    merged = CollectorRegistry()
    MultiProcessCollector(merged, path=str(directory))  # type: ignore[no-untyped-call]
    return merged


def add_metrics_route(app: FastAPI, registry: CollectorRegistry, metrics: HttpMetrics) -> None:
    async def get_metrics(request: Request) -> Response:
        metrics.database_pool.refresh(getattr(request.app.state, "engine", None))
        return Response(
            generate_latest(scrape_registry(registry)),
            media_type=CONTENT_TYPE_LATEST,
            headers={"Cache-Control": "no-store"},
        )

    app.add_api_route(
        METRICS_PATH,
        get_metrics,
        methods=["GET"],
        include_in_schema=False,
        summary="Prometheus metrics",
    )
