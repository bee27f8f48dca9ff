"""Real `par-index serve` processes on 127.0.0.1 against a throw-away PostgreSQL database.

For what one process cannot show: several processes sharing one database, a proxy in front of
them, a process killed mid-traffic. The database is created on the server TEST_DATABASE_URL
names (or 127.0.0.1:5432), migrated and loaded with the bundled data sets by the command line,
and dropped WITH (FORCE) at the end; the processes run from a temporary folder, so no `.env`
file of the checkout reaches them.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import URL, make_url

PAR_INDEX = Path(sys.executable).with_name("par-index")
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
STARTUP_S = 60.0


def postgres_server() -> URL | None:
    """The PostgreSQL server of TEST_DATABASE_URL, or None when the tests run on SQLite."""
    raw = os.environ.get("TEST_DATABASE_URL", "")
    if not raw.startswith(("postgresql", "postgres:")):
        return None
    return make_url(raw).set(drivername="postgresql")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _admin(server: URL, statement: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(
            server.set(database="postgres").render_as_string(hide_password=False)
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def run_cli(environment: Mapping[str, str], *args: str, cwd: Path) -> str:
    """One `par-index` command; its stdout. Fails the caller with stderr if it fails."""
    done = subprocess.run(
        [str(PAR_INDEX), *args],
        env=dict(environment),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"par-index {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


@contextmanager
def throwaway_database(server: URL, tag: str, workdir: Path) -> Iterator[str]:
    """A fresh database migrated and loaded with the bundled data; yields its URL."""
    name = f"par_index_{tag}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        environment = base_environment(url)
        run_cli(environment, "migrate", cwd=workdir)
        run_cli(environment, "load", cwd=workdir)
        yield url
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_environment(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a service process: this one's minus any APP_ setting, plus these."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("APP_") and name not in {"DATABASE_URL", "TEST_DATABASE_URL"}
    }
    environment |= {
        "DATABASE_URL": database_url,
        "APP_LOGGING__LEVEL": "WARNING",
        "APP_WEBHOOKS__ENABLED": "false",
    }
    environment |= settings
    return environment


def admin_key(database_url: str, workdir: Path) -> str:
    environment = base_environment(database_url)
    output = run_cli(
        environment, "keys", "create", "--name", "processes", "--role", "admin", cwd=workdir
    )
    return output.strip()


@dataclass
class ServiceProcess:
    """One `par-index serve` on a free loopback port."""

    environment: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.workdir / f"serve-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [str(PAR_INDEX), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.environment,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"par-index serve exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"par-index serve did not get ready: {self.log_tail()}")

    def log_tail(self) -> str:
        path = self.workdir / f"serve-{self.port}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as when a machine or container dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def services(environments: list[dict[str, str]], workdir: Path) -> Iterator[list[ServiceProcess]]:
    """Start one process per environment (one after the other), stop them all at the end."""
    started: list[ServiceProcess] = []
    try:
        for environment in environments:
            service = ServiceProcess(environment, workdir)
            started.append(service)
            service.start()
        yield started
    finally:
        for service in started:
            service.stop()
