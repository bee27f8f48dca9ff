"""`par-index serve`: uvicorn with several worker processes, trusted proxies, a graceful stop.

With `--workers N` (or `APP_SERVER__WORKERS`) uvicorn's own supervisor runs N processes on one
listening socket, restarts a worker that dies and, on SIGTERM, passes the signal on to every
worker: each stops accepting connections, lets the requests in flight finish (at most
`server.graceful_shutdown_s`), then runs its shutdown (webhook drainer, database pool).
uvicorn's supervisor is used rather than gunicorn's: it is part of uvicorn itself, maintained
with the server it supervises, and gunicorn would add a dependency and a worker class from
another package for the same job.

Several workers need state that is shared, not per process: rate-limit counters in Redis (or an
explicit acceptance of per-worker limits) and Prometheus' multiprocess mode, so that /metrics on
any worker reports all of them.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from app.core.config import ServerSettings, Settings
from app.http.metrics import MULTIPROCESS_DIR_ENV

APP_FACTORY = "app.main:create_app"
# How long the supervisor waits for a worker to answer its health check before it kills and
# replaces it. A new worker answers only once it has imported this command's module and so the
# whole app (a few seconds, more while several workers start on two cores): uvicorn's default
# of 5 s killed workers that were still starting.
WORKER_HEALTHCHECK_S = 30


def worker_refusal(settings: Settings, workers: int) -> str | None:
    """Why these settings cannot run `workers` processes, or None when they can."""
    limits = settings.rate_limit
    if (
        workers > 1
        and limits.enabled
        and limits.redis_url is None
        and not limits.allow_per_worker_counters
    ):
        return (
            f"{workers} workers with rate-limit counters in memory would let each worker allow "
            "the whole limit on its own: set APP_RATE_LIMIT__REDIS_URL to share the counters, "
            "or APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS=true to accept per-worker limits."
        )
    return None


def proxy_options(settings: ServerSettings) -> dict[str, Any]:
    """uvicorn believes X-Forwarded-* only from the configured proxies, and with none configured
    not at all (left to itself it trusts 127.0.0.1, so any local client could set its address)."""
    trusted = settings.forwarded_allow_ips
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted)}


@contextmanager
def metrics_directory(workers: int) -> Iterator[Path | None]:
    """An empty directory for the workers' metric files, named in the environment the workers
    inherit, so prometheus_client starts in multiprocess mode in each of them.

    Every start begins empty: counts left by an earlier run must not be added to this one's.
    An operator's PROMETHEUS_MULTIPROC_DIR is emptied of metric files and kept; otherwise a
    temporary directory is made and removed when the server stops. One worker without that
    variable needs none: its own registry is the whole truth.
    """
    configured = os.environ.get(MULTIPROCESS_DIR_ENV)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        yield directory
        return
    if workers == 1:
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="par-index-metrics-"))
    os.environ[MULTIPROCESS_DIR_ENV] = str(directory)
    try:
        yield directory
    finally:
        del os.environ[MULTIPROCESS_DIR_ENV]
        shutil.rmtree(directory, ignore_errors=True)


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Run the service until SIGTERM or SIGINT; the caller has checked `worker_refusal`."""
    with metrics_directory(workers):
        # The app writes its own JSON access line per request (app/http/logging.py).
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            timeout_graceful_shutdown=settings.server.graceful_shutdown_s,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            **proxy_options(settings.server),
        )
