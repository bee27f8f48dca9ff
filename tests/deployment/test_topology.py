"""The shipped deployment (deploy/) as plain processes: nginx in front of two replicas on one
PostgreSQL database and one Redis. A write on one replica is served by the other within the
bound, a replica killed mid-traffic loses no acknowledged write while nginx keeps answering,
the rate limit holds across replicas, and the proxy cache serves anonymous reads.

Needs nginx (Debian's nginx-light), PostgreSQL (TEST_DATABASE_URL) and Redis on 127.0.0.1:6379.
Skipped with the reason when one is missing, unless PAR_DEPLOYMENT_TESTS=required (.ci/run).
"""

import asyncio
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.deployment.topology import (
    REDIS_URL,
    Nginx,
    nginx,
    nginx_binary,
    redis_prefix,
    redis_reachable,
)
from tests.processes.service import (
    ServiceProcess,
    admin_key,
    base_environment,
    postgres_server,
    services,
    throwaway_database,
)

RANKING = "/api/v1/years/2024/rankings/department"
WRITES_PER_MINUTE = 30
# Replicas trust their reading a minute without a notice: only the push shows writes sooner.
BOUND_S = 2.0
# Clients writing while a replica is killed, each with a key of its own, pausing between
# writes so that none reaches WRITES_PER_MINUTE in the test's 4 s.
KILL_WORKERS = 3
WRITE_PAUSE_S = 0.15


def _missing() -> str | None:
    if nginx_binary() is None:
        return "nginx is not installed (apt-get install nginx-light)"
    if postgres_server() is None:
        return "needs PostgreSQL: set TEST_DATABASE_URL=postgresql://…"
    if not redis_reachable():
        return "Redis is not reachable on 127.0.0.1:6379"
    return None


MISSING = _missing()
if MISSING and os.environ.get("PAR_DEPLOYMENT_TESTS") == "required":
    pytest.fail(f"deployment tests required: {MISSING}", pytrace=False)
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


@dataclass
class Topology:
    proxy: Nginx
    replicas: list[ServiceProcess]
    keys: list[str]  # admin keys, one per test that writes: each has its own write budget

    def auth(self, index: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[index]}"}


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    server = postgres_server()
    assert server is not None
    folder = tmp_path_factory.mktemp("deployment")
    with throwaway_database(server, "deploy", folder) as url, redis_prefix() as prefix:
        environment = base_environment(
            url,
            APP_RATE_LIMIT__REDIS_URL=REDIS_URL,
            APP_RATE_LIMIT__KEY_PREFIX=prefix,
            APP_RATE_LIMIT__WRITES_PER_MINUTE=str(WRITES_PER_MINUTE),
            APP_SERVER__FORWARDED_ALLOW_IPS='["127.0.0.1"]',
            APP_CACHE__REVISION_CHECK_MS="60000",
            APP_CACHE__PUSH_CHECK_MS="60000",
        )
        keys = [admin_key(url, folder) for _ in range(2 + KILL_WORKERS)]
        with services([environment, environment], folder) as replicas:
            nginx_folder = folder / "nginx"
            nginx_folder.mkdir()
            with nginx(replicas, nginx_folder) as proxy:
                yield Topology(proxy, replicas, keys)


def proxy_lines(proxy: Nginx, path: str) -> list[str]:
    """nginx's access lines of requests for `path`, in order."""
    return [line for line in proxy.access_log() if f" {path} HTTP" in line]


def upstreams(proxy: Nginx, path: str) -> list[str]:
    """The upstream address nginx logged for each request of `path`, in order."""
    found = []
    for line in proxy_lines(proxy, path):
        match = re.search(r"upstream=(\S+)", line)
        assert match is not None, line
        found.append(match.group(1))
    return found


def test_metrics_are_not_served_through_the_proxy(topology: Topology) -> None:
    assert httpx.get(topology.proxy.base_url + "/metrics").status_code == 404
    assert httpx.get(topology.replicas[0].base_url + "/metrics").status_code == 200


def test_the_proxy_cache_serves_anonymous_reads_and_never_credentialed_ones(
    topology: Topology,
) -> None:
    # A language of its own gives this test a cache entry no other request shares.
    headers = {"Accept-Language": f"en, x-{uuid.uuid4().hex[:8]};q=0.1"}
    url = topology.proxy.base_url + RANKING
    first, second = httpx.get(url, headers=headers), httpx.get(url, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["X-Cache-Status"] == "MISS"
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Cache-Control"] == "public, max-age=60"
    credentialed = httpx.get(url, headers=headers | topology.auth(0))
    assert credentialed.headers["X-Cache-Status"] == "BYPASS"
    assert credentialed.headers["Cache-Control"] == "private, no-cache"
    # The HIT never reached a replica; the MISS and the credentialed read did.
    assert upstreams(topology.proxy, RANKING)[-3:][1] == "-"
    # Each answer has its own request id, the one in nginx's access line, the HIT's too.
    ids = [response.headers["X-Request-ID"] for response in (first, second)]
    assert ids[0] != ids[1]
    assert f"request_id={ids[1]} " in proxy_lines(topology.proxy, RANKING)[-2]
    missing = httpx.get(topology.proxy.base_url + "/api/v1/years/2099/rankings/department")
    again = httpx.get(topology.proxy.base_url + "/api/v1/years/2099/rankings/department")
    assert (missing.status_code, again.headers["X-Cache-Status"]) == (404, "MISS")


def test_a_write_through_one_replica_is_served_by_the_other_within_the_bound(
    topology: Topology,
) -> None:
    before = [
        httpx.get(r.base_url + RANKING, headers=topology.auth(0)).headers["ETag"]
        for r in topology.replicas
    ]
    assert before[0] == before[1]
    written = httpx.patch(
        topology.proxy.base_url + "/api/v1/groups/department",
        json={"name_en": "Departments behind the proxy"},
        headers=topology.auth(0),
    )
    assert written.status_code == 200, written.text
    for replica in topology.replicas:
        start = time.monotonic()
        while time.monotonic() - start < BOUND_S:
            answer = httpx.get(
                replica.base_url + RANKING, headers=topology.auth(0) | {"Accept-Language": "en"}
            )
            if answer.headers["ETag"] != before[0]:
                break
            time.sleep(0.01)
        assert answer.headers["ETag"] != before[0], f"{replica.base_url} after {BOUND_S} s"
        assert "Departments behind the proxy" in answer.text


def test_the_write_limit_holds_across_replicas(topology: Topology) -> None:
    # Fixed one-minute windows: start early enough in one to finish inside it.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    statuses = [
        httpx.patch(
            topology.proxy.base_url + "/api/v1/groups/department",
            json={"sort_order": 1},
            headers=topology.auth(1),
        ).status_code
        for _ in range(WRITES_PER_MINUTE + 10)
    ]
    assert statuses.count(200) == WRITES_PER_MINUTE, statuses
    assert statuses.count(429) == 10, statuses
    # nginx spread them over both replicas: each alone would have allowed them all.
    served_by = upstreams(topology.proxy, "/api/v1/groups/department")[-len(statuses) :]
    assert len(set(served_by)) == 2, served_by


@dataclass
class Traffic:
    writes: dict[str, int]  # group code -> status of its POST
    reads: list[tuple[float, int]]  # (time, status) of every read
    killed_at: float = 0.0


async def _drive(topology: Topology, traffic: Traffic, *, until: float, worker: int) -> None:
    proxy = topology.proxy.base_url
    async with httpx.AsyncClient(timeout=10, headers=topology.auth(2 + worker)) as http:
        number = 0
        while time.monotonic() < until:
            number += 1
            code = f"kill-{worker}-{number}"
            try:
                posted = await http.post(
                    f"{proxy}/api/v1/groups",
                    json={"code": code, "name_vi": code, "name_en": code, "sort_order": 90},
                )
                traffic.writes[code] = posted.status_code
            except httpx.TransportError:
                traffic.writes[code] = 0
            read = await http.get(proxy + RANKING)
            traffic.reads.append((time.monotonic(), read.status_code))
            await asyncio.sleep(WRITE_PAUSE_S)


async def _traffic_with_a_kill(topology: Topology, victim: ServiceProcess) -> Traffic:
    traffic = Traffic(writes={}, reads=[])
    start = time.monotonic()
    drivers = [
        asyncio.create_task(_drive(topology, traffic, until=start + 4, worker=worker))
        for worker in range(KILL_WORKERS)
    ]
    await asyncio.sleep(1.5)
    await asyncio.to_thread(victim.kill)
    traffic.killed_at = time.monotonic()
    await asyncio.gather(*drivers)
    return traffic


def test_a_replica_killed_mid_traffic_loses_no_acknowledged_write(topology: Topology) -> None:
    """Last in this module: it leaves one replica running."""
    traffic = asyncio.run(_traffic_with_a_kill(topology, topology.replicas[1]))
    acknowledged = {code for code, status in traffic.writes.items() if status == 201}
    after_kill = [status for at, status in traffic.reads if at > traffic.killed_at]
    assert len(acknowledged) > 10
    assert after_kill
    assert set(after_kill) == {200}, "nginx answers through the surviving replica"
    # Only writes cut off by the kill may have failed, and they answered 502, not a 5xx of
    # the service's making.
    failed = {code: status for code, status in traffic.writes.items() if status != 201}
    assert set(failed.values()) <= {502}, failed
    assert len(failed) <= KILL_WORKERS, failed
    listed = httpx.get(topology.proxy.base_url + "/api/v1/groups", headers=topology.auth(2)).json()
    assert acknowledged <= {group["code"] for group in listed}
