"""SIGTERM stops the service gracefully: what was in flight when it arrived still completes."""

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.databases import fresh_database
from tests.processes.service_processes import (
    run_cli,
    running_service,
    service_environment,
)

YEAR = 2031
# uvicorn's line when it stops with connections still open: the request below was one of them.
WAITING = "Waiting for connections to close"


async def test_a_slow_request_in_flight_when_sigterm_arrives_still_completes(
    tmp_path: Path,
) -> None:
    async with fresh_database(tmp_path, "service") as database_url:
        environment = service_environment(
            database_url, APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS="true"
        )
        await run_cli(environment, tmp_path, "migrate")
        key = await run_cli(
            environment, tmp_path, "keys", "create", "--name", "shutdown", "--role", "admin"
        )
        headers = {"Authorization": f"Bearer {key.strip()}", "Content-Type": "application/json"}
        body_started, sigterm_sent = asyncio.Event(), asyncio.Event()

        async def slow_body() -> AsyncIterator[bytes]:
            yield b'{"year": '
            body_started.set()
            await sigterm_sent.wait()
            await asyncio.sleep(1.5)  # the workers have begun to shut down meanwhile
            yield f"{YEAR}}}".encode()

        async with running_service(environment, tmp_path, workers=2) as service:
            async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as http:
                creating = asyncio.create_task(
                    http.post("/api/v1/years", content=slow_body(), headers=headers)
                )
                await body_started.wait()
                await asyncio.sleep(0.5)  # the request's headers have reached a worker
                service.process.send_signal(signal.SIGTERM)
                sigterm_sent.set()
                response = await creating
            assert response.status_code == 201, response.text
            assert await service.stop() == 0
            assert WAITING in service.log()

        async with (
            running_service(environment, tmp_path) as restarted,
            httpx.AsyncClient(base_url=restarted.base_url, headers=headers) as http,
        ):
            assert (await http.get(f"/api/v1/years/{YEAR}")).status_code == 200
