"""Real processes of the service (`par-index serve`) on free loopback ports, on a database of
their own: a new SQLite file, or a new database on the TEST_DATABASE_URL server."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 60.0
STARTED = "Application startup complete."


def service_environment(database_url: str, **settings: str) -> dict[str, str]:
    """This environment without any of the service's settings, then the database and these."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("APP_") and name not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}
    }
    return kept | {"DATABASE_URL": database_url, "APP_LOGGING__JSON": "false", **settings}


async def run_cli(environment: dict[str, str], cwd: Path, *args: str) -> str:
    """Run `par-index ARGS` to completion; its standard output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        env=environment,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, f"par-index {' '.join(args)}: {err.decode()}"
    return out.decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServiceProcess:
    process: asyncio.subprocess.Process
    base_url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """The worker processes under a supervisor (`--workers N`, N > 1)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children if _is_python(int(pid))]

    async def stop(self) -> int:
        """SIGTERM, as a process manager stops it; its exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)


def _is_python(pid: int) -> bool:
    # multiprocessing's spawn also starts a resource tracker: a worker runs the app's code.
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"resource_tracker" not in command


@asynccontextmanager
async def running_service(
    environment: dict[str, str], cwd: Path, *, workers: int = 1
) -> AsyncIterator[ServiceProcess]:
    """`par-index serve --workers N` on a free port, once every worker has started; stopped
    (SIGTERM, then SIGKILL if it hangs) afterwards."""
    port = free_port()
    log_path = cwd / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            env=environment,
            cwd=cwd,
            stdout=log,
            stderr=log,
        )
    service = ServiceProcess(process, f"http://127.0.0.1:{port}", log_path)
    try:
        await _wait_until_started(service, workers)
        yield service
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_until_started(service: ServiceProcess, workers: int) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient() as http:
        while asyncio.get_running_loop().time() < deadline:
            assert service.process.returncode is None, f"serve exited:\n{service.log()}"
            if service.log().count(STARTED) >= workers:
                try:
                    if (await http.get(f"{service.base_url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"serve did not start in {STARTUP_TIMEOUT_S:g} s:\n{service.log()}")
