"""A live server on 127.0.0.1 for the browser tests, Debian's chromium, axe-core, and a guard
that fails a test on any request leaving 127.0.0.1.

The tests need three things that `pip install -e .[browser]` alone does not bring: chromium
(`apt-get install chromium`; Playwright's own browser download is not used), and axe-core from
the npm registry (`.ci/browser` installs both). Without them the tests are skipped, unless
PAR_BROWSER_TESTS=required (as in .ci/run), where a missing piece fails the run instead.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PAR_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = Path(
    os.environ.get("PAR_AXE_JS", ROOT / ".cache/browser/node_modules/axe-core/axe.min.js")
)
# Test artifacts, git-ignored: a screenshot of every page the tests open, and the print PDF.
ARTIFACTS = Path(os.environ.get("PAR_BROWSER_ARTIFACTS", ROOT / "test-artifacts/browser"))
REQUIRED = os.environ.get("PAR_BROWSER_TESTS") == "required"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser tests are required here: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    import playwright.sync_api  # noqa: F401
except ImportError:
    _unavailable("Playwright is not installed (pip install -e '.[browser]')")
if not CHROMIUM.exists():
    _unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not become ready:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 and a free port, on its own SQLite file with the
    bundled data sets loaded as `make run` loads them."""
    folder = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "APP_WEBHOOKS__ENABLED": "false",
        "APP_LOGGING__LEVEL": "WARNING",
        "APP_RATE_LIMIT__ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    for command in (["migrate"], ["load"]):
        subprocess.run(
            [sys.executable, "-m", "app.cli", *command],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
            ],
            env=env,
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@dataclass
class Network:
    """Every request the browser made, and those that would have left 127.0.0.1."""

    requested: list[str] = field(default_factory=list)
    # Requests to another host that reached the network layer (aborted here, never sent).
    sent_elsewhere: list[str] = field(default_factory=list)
    # Requests to another host that the page's own Content-Security-Policy refused.
    refused_by_csp: list[str] = field(default_factory=list)

    def elsewhere(self) -> list[str]:
        return [url for url in self.requested if not _local(url)]


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


@pytest.fixture
def network(context: Any) -> Iterator[Network]:
    """Routes every request of the test's browser context: 127.0.0.1 goes through, anything
    else is aborted, recorded, and fails the test."""
    seen = Network()

    def route(route: Any) -> None:
        if _local(route.request.url):
            route.continue_()
        else:
            seen.sent_elsewhere.append(route.request.url)
            route.abort()

    def failed(request: Any) -> None:
        if request.failure == "csp" and not _local(request.url):
            seen.refused_by_csp.append(request.url)

    context.route("**/*", route)
    context.on("request", lambda request: seen.requested.append(request.url))
    context.on("requestfailed", failed)
    yield seen
    assert seen.sent_elsewhere == [], "requests left 127.0.0.1"


@pytest.fixture
def axe_script() -> str:
    if not AXE_JS.exists():
        _unavailable(f"no axe-core at {AXE_JS} (.ci/browser installs it from the npm registry)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
