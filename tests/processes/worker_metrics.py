"""What each worker of `par-index serve --workers N` counted, read from its own metric files."""

import shutil
import tempfile
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector


def worker_pids(metrics_dir: Path) -> list[int]:
    """Every worker writes counter_<pid>.db as soon as its app is built."""
    return sorted(int(path.stem.rsplit("_", 1)[1]) for path in metrics_dir.glob("counter_*.db"))


def answered_by(metrics_dir: Path, pid: int, *, route: str) -> float:
    """Requests to `route` that worker `pid` answered, any status: its own files alone."""
    with tempfile.TemporaryDirectory() as alone:
        shutil.copy(metrics_dir / f"counter_{pid}.db", alone)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=alone)  # type: ignore[no-untyped-call]
        return sum(
            sample.value
            for metric in registry.collect()
            for sample in metric.samples
            if sample.name == "http_requests_total" and sample.labels.get("route") == route
        )
