"""Two real processes on one PostgreSQL database: a write through one is served by the other at
once, pushed by LISTEN/NOTIFY, not after the periodic check's fallback period."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes.service import (
    ServiceProcess,
    admin_key,
    base_environment,
    postgres_server,
    services,
    throwaway_database,
)

RANKING = "/api/v1/years/2024/rankings/department"
# Both fallback intervals at a minute: only a pushed notice can show a write sooner.
FALLBACK = {"APP_CACHE__REVISION_CHECK_MS": "60000", "APP_CACHE__PUSH_CHECK_MS": "60000"}
# "Well before the fallback period": a thirtieth of it, on a loaded 2-core machine.
BOUND_S = 2.0

pytestmark = pytest.mark.skipif(
    postgres_server() is None, reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql://…"
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("revision-push")


@pytest.fixture(scope="module")
def cluster(workdir: Path) -> Iterator[tuple[list[ServiceProcess], str]]:
    """Processes A and B listening, C with pushing off; an admin key."""
    server = postgres_server()
    assert server is not None
    with throwaway_database(server, "push", workdir) as url:
        pushed = base_environment(url, **FALLBACK)
        polled = base_environment(url, **FALLBACK, APP_CACHE__PUSH="false")
        with services([pushed, pushed, polled], workdir) as processes:
            yield processes, admin_key(url, workdir)


def etag(process: ServiceProcess) -> str:
    response = httpx.get(process.base_url + RANKING, timeout=5)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def rename_group(process: ServiceProcess, key: str, name: str) -> None:
    response = httpx.patch(
        f"{process.base_url}/api/v1/groups/department",
        json={"name_en": name},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def seconds_until_new_etag(process: ServiceProcess, old: str, *, within: float) -> float | None:
    """From now until `process` serves an ETag other than `old`; None if not within `within`."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if etag(process) != old:
            return time.monotonic() - start
        time.sleep(0.005)
    return None


def test_a_write_through_one_process_is_served_by_the_other_within_the_bound(
    cluster: tuple[list[ServiceProcess], str],
) -> None:
    (a, b, _), key = cluster
    for round_number, (writer, reader) in enumerate([(a, b), (b, a), (a, b)]):
        before = etag(reader)
        assert etag(reader) == before  # warm: trusted for a minute without a notice
        rename_group(writer, key, f"Departments, round {round_number}")
        waited = seconds_until_new_etag(reader, before, within=BOUND_S)
        assert waited is not None, f"round {round_number}: still {before} after {BOUND_S} s"
        ranking = httpx.get(reader.base_url + RANKING, headers={"Accept-Language": "en"}).json()
        assert f"Departments, round {round_number}" in str(ranking)


def test_without_the_notice_the_other_process_waits_for_its_fallback_check(
    cluster: tuple[list[ServiceProcess], str],
) -> None:
    """The control: the same write, a process that does not listen keeps its reading."""
    (a, _, c), key = cluster
    before = etag(c)
    rename_group(a, key, "Departments, unseen")
    assert seconds_until_new_etag(c, before, within=BOUND_S) is None
