"""Two workers of one service: /metrics on either reports both, and a rate limit in Redis holds
across them (`par-index serve --workers 2`)."""

import asyncio
import re
import socket
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from tests.databases import fresh_database
from tests.processes.service_processes import (
    run_cli,
    running_service,
    service_environment,
)
from tests.processes.worker_metrics import answered_by, worker_pids

ROUTE = "/api/v1/years"
REDIS_URL = "redis://127.0.0.1:6379/0"
MOST_REQUESTS = 400
LIMIT = 20
COUNTED = re.compile(
    r'^http_requests_total\{method="GET",route="/api/v1/years",status="(\dxx)"\} (\S+)$',
    re.MULTILINE,
)


async def read_until_both_workers_answered(
    base_url: str, metrics_dir: Path, *, at_least: int = 0
) -> list[int]:
    """Anonymous reads, one connection each (so either worker may accept it), until both
    workers have answered some and `at_least` were sent; their statuses."""
    statuses: list[int] = []
    pids = worker_pids(metrics_dir)
    assert len(pids) == 2, pids
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as http:
        for _ in range(MOST_REQUESTS):
            statuses.append((await http.get(ROUTE)).status_code)
            if len(statuses) >= at_least and all(
                answered_by(metrics_dir, pid, route=ROUTE) for pid in pids
            ):
                return statuses
    raise AssertionError(f"one worker answered all {MOST_REQUESTS} requests")


async def test_metrics_on_either_worker_count_the_requests_of_both(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    async with fresh_database(tmp_path, "service") as database_url:
        environment = service_environment(
            database_url,
            APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS="true",
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        )
        await run_cli(environment, tmp_path, "migrate")
        async with running_service(environment, tmp_path, workers=2) as service:
            statuses = await read_until_both_workers_answered(service.base_url, metrics_dir)
            per_worker = [
                answered_by(metrics_dir, pid, route=ROUTE) for pid in worker_pids(metrics_dir)
            ]
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=service.base_url, limits=limits) as http:
                scrapes = [(await http.get("/metrics")).text for _ in range(6)]

    assert set(statuses) == {200}
    assert all(count > 0 for count in per_worker), per_worker
    assert sum(per_worker) == len(statuses)
    for text in scrapes:
        assert COUNTED.findall(text) == [("2xx", f"{float(len(statuses))}")]
        # The pool gauges are summed over the live workers: two pools.
        assert re.search(r"^db_pool_checked_out 0\.0$", text, re.MULTILINE), text


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"par-index-test:{uuid.uuid4().hex}"
    yield prefix
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def test_with_redis_the_rate_limit_holds_across_workers(
    tmp_path: Path, redis_prefix: str
) -> None:
    metrics_dir = tmp_path / "metrics"
    async with fresh_database(tmp_path, "service") as database_url:
        environment = service_environment(
            database_url,
            APP_RATE_LIMIT__REDIS_URL=REDIS_URL,
            APP_RATE_LIMIT__KEY_PREFIX=redis_prefix,
            APP_RATE_LIMIT__ANONYMOUS_READS_PER_MINUTE=str(LIMIT),
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        )
        await run_cli(environment, tmp_path, "migrate")
        async with running_service(environment, tmp_path, workers=2) as service:
            # All the reads in one one-minute window: start early in one.
            if time.time() % 60 > 30:
                await asyncio.sleep(60 - time.time() % 60)
            statuses = await read_until_both_workers_answered(
                service.base_url, metrics_dir, at_least=2 * LIMIT
            )

    # Counted per worker, both workers would have allowed more than LIMIT between them.
    assert statuses.count(200) == LIMIT
    assert statuses[:LIMIT] == [200] * LIMIT
    assert set(statuses[LIMIT:]) == {429}
