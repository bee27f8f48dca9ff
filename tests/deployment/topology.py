"""deploy/ as plain processes on 127.0.0.1: nginx from Debian with a configuration rendered from
deploy/nginx/par-index.conf, two `par-index serve` replicas, the local PostgreSQL (a throw-away
database) and Redis (a key prefix of its own)."""

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from redis import Redis

from tests.processes.service import ServiceProcess, free_port

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "par-index.conf"
REDIS_URL = "redis://127.0.0.1:6379/0"
# What the test must set to put nginx on a free port with its files in a temporary folder.
MAIN_CONF = """daemon off;
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    include {dir}/par-index.conf;
}}
"""


def nginx_binary() -> str | None:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if Path(found).exists() else None


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def render(shipped: str, *, replicas: list[int], port: int, folder: Path) -> str:
    """The shipped configuration with this machine's addresses, port and paths. Each
    replacement must apply exactly once, so a change to the shipped file fails here loudly."""
    replacements = {
        "server api-1:8000 ": f"server 127.0.0.1:{replicas[0]} ",
        "server api-2:8000 ": f"server 127.0.0.1:{replicas[1]} ",
        "listen 8080;": f"listen 127.0.0.1:{port};",
        "proxy_cache_path /var/cache/nginx/par-index ": f"proxy_cache_path {folder}/cache ",
        "access_log /var/log/nginx/access.log ": f"access_log {folder}/access.log ",
    }
    for old, new in replacements.items():
        count = shipped.count(old)
        assert count == 1, f"{old!r} appears {count} times in {SHIPPED}"
        shipped = shipped.replace(old, new)
    return shipped


@dataclass
class Nginx:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def access_log(self) -> list[str]:
        return (self.folder / "access.log").read_text().splitlines()


@contextmanager
def nginx(replicas: list[ServiceProcess], folder: Path) -> Iterator[Nginx]:
    binary = nginx_binary()
    assert binary is not None
    port = free_port()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    (folder / "par-index.conf").write_text(
        render(SHIPPED.read_text(), replicas=[r.port for r in replicas], port=port, folder=folder)
    )
    # Run by root, nginx's workers would become `nobody`, who cannot enter the test's private
    # temporary folder: they stay the user who runs the tests.
    user = "user root root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(MAIN_CONF.format(dir=folder, user=user))
    check = subprocess.run(
        [binary, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "stderr.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield Nginx(folder, port, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix of this run's own; its keys are deleted at the end."""
    prefix = f"par-index-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        yield prefix
    finally:
        client = Redis.from_url(REDIS_URL)
        try:
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)
        finally:
            client.close()
