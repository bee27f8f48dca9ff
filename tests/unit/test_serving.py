"""`par-index serve --workers N`: what it refuses, and what it hands uvicorn and the workers."""

import os
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.core.config import get_settings
from app.http.metrics import MULTIPROCESS_DIR_ENV


class UvicornCalls:
    """Stands in for uvicorn.run: records its options and the metrics directory it was given."""

    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []
        self.metrics_dirs: list[str | None] = []
        self.files_then: list[list[str]] = []

    def __call__(self, *_args: Any, **options: Any) -> None:
        self.options.append(options)
        directory = os.environ.get(MULTIPROCESS_DIR_ENV)
        self.metrics_dirs.append(directory)
        self.files_then.append(sorted(os.listdir(directory)) if directory else [])


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> UvicornCalls:
    calls = UvicornCalls()
    monkeypatch.setattr("app.serving.uvicorn.run", calls)
    for name in (
        "APP_RATE_LIMIT__REDIS_URL",
        "APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS",
        "APP_RATE_LIMIT__ENABLED",
        "APP_SERVER__WORKERS",
        MULTIPROCESS_DIR_ENV,
    ):
        monkeypatch.delenv(name, raising=False)
    return calls


def serve(*args: str) -> int:
    get_settings.cache_clear()
    try:
        return main(["serve", "--port", "8123", *args])
    finally:
        get_settings.cache_clear()


class TestWorkers:
    def test_one_worker_needs_no_shared_state(self, uvicorn_calls: UvicornCalls) -> None:
        assert serve() == 0
        assert uvicorn_calls.options[0]["workers"] == 1
        assert uvicorn_calls.metrics_dirs == [None]

    def test_several_workers_with_counters_in_memory_refuse_to_start(
        self, uvicorn_calls: UvicornCalls, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert serve("--workers", "2") == 2
        assert uvicorn_calls.options == []
        error = capsys.readouterr().err
        assert "APP_RATE_LIMIT__REDIS_URL" in error
        assert "APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS" in error

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("APP_RATE_LIMIT__REDIS_URL", "redis://127.0.0.1:6379/0"),
            ("APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS", "true"),
            ("APP_RATE_LIMIT__ENABLED", "false"),
        ],
    )
    def test_several_workers_start_with_shared_or_explicitly_per_worker_limits(
        self, uvicorn_calls: UvicornCalls, monkeypatch: pytest.MonkeyPatch, name: str, value: str
    ) -> None:
        monkeypatch.setenv(name, value)
        assert serve("--workers", "3") == 0
        assert uvicorn_calls.options[0]["workers"] == 3

    def test_the_number_of_workers_is_a_setting_too(
        self, uvicorn_calls: UvicornCalls, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("APP_SERVER__WORKERS", "2")
        monkeypatch.setenv("APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS", "true")
        assert serve() == 0
        assert uvicorn_calls.options[0]["workers"] == 2

    def test_zero_workers_is_a_usage_error(self, uvicorn_calls: UvicornCalls) -> None:
        with pytest.raises(SystemExit) as exit_:
            serve("--workers", "0")
        assert exit_.value.code == 2

    def test_requests_in_flight_get_the_configured_time_to_finish(
        self, uvicorn_calls: UvicornCalls, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("APP_SERVER__GRACEFUL_SHUTDOWN_S", "12")
        assert serve() == 0
        assert uvicorn_calls.options[0]["timeout_graceful_shutdown"] == 12


class TestMetricsDirectory:
    def test_several_workers_share_a_fresh_directory_removed_when_they_stop(
        self, uvicorn_calls: UvicornCalls, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS", "true")
        assert serve("--workers", "2") == 0
        (directory,) = uvicorn_calls.metrics_dirs
        assert directory is not None
        assert uvicorn_calls.files_then == [[]]
        assert not Path(directory).exists()
        assert MULTIPROCESS_DIR_ENV not in os.environ

    def test_a_configured_directory_is_emptied_of_an_earlier_runs_metrics(
        self, uvicorn_calls: UvicornCalls, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "counter_4242.db").write_bytes(b"left by an earlier run")
        (tmp_path / "README").write_text("not a metrics file")
        monkeypatch.setenv(MULTIPROCESS_DIR_ENV, str(tmp_path))
        monkeypatch.setenv("APP_RATE_LIMIT__REDIS_URL", "redis://127.0.0.1:6379/0")
        assert serve("--workers", "2") == 0
        assert uvicorn_calls.metrics_dirs == [str(tmp_path)]
        assert uvicorn_calls.files_then == [["README"]]
