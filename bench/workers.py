"""Warm ranking throughput with one worker and with two (`par-index serve --workers N`), with wrk.

A script, not a test: it asserts nothing and prints one table per database. For each database
(a SQLite file and a throw-away PostgreSQL database, both migrated and loaded with the bundled
data sets) it runs, in rounds, the service with 1 and then 2 workers on 127.0.0.1, everything
on as served (access log, metrics in multiprocess mode for 2, rate limiter counting with its
ceilings raised, ETags). Each is warmed with wrk (which also fills every worker's cache) before
`wrk -t1 -c64 -d10s --latency` measures it; the table gives the median over the rounds and the
ratio to one worker (the target of issue 15: at least 1.7 with two on two cores). wrk runs on
the same machine and takes a share of the same cores, as the caveats in README.md say, so the
table also gives the CPU time the service's processes and wrk spent per request during the
measured run (from /proc and getrusage): if the service's share stays the same with two workers,
the workers scale and what is missing from 1.7 went to the load generator and the kernel.
Needs wrk (Debian: `apt-get install -y wrk`).
"""

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from http_reads import RANKING, Sample, fetch, free_port, prepare, service_env, stop, wrk_run
from run_context import ROOT, machine, source_state
from throwaway_pg import pg_admin, pg_url

WORKERS = (1, 2)
STARTED = "Application startup complete"
STARTUP_TIMEOUT_S = 120


@dataclass
class Measured:
    sample: Sample
    service_cpu_s: float  # the serve process and its workers, during the measured run
    wrk_cpu_s: float
    duration_s: float

    def us_per_request(self, cpu_s: float) -> float:
        return cpu_s / (self.sample.rps * self.duration_s) * 1e6


@dataclass
class Results:
    samples: dict[int, list[Measured]] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    stats: dict[int, tuple[int, float]] = {}  # pid: (parent, cpu seconds)
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    tree, total, grew = {root}, 0.0, True
    while grew:
        grown = tree | {pid for pid, (parent, _) in stats.items() if parent in tree}
        grew, tree = grown != tree, grown
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def children_cpu_s() -> float:
    """CPU seconds of this script's children that have ended and been waited for (wrk)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start(workers: int, port: int, database_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    """The service with `workers` processes, once each has started and it answers."""
    env = service_env(database_url)
    env["APP_RATE_LIMIT__ALLOW_PER_WORKER_COUNTERS"] = "true"  # ceilings are out of reach
    argv = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}: see {log_path}")
        if log_path.read_text(errors="replace").count(STARTED) >= workers:
            try:
                if fetch(f"http://127.0.0.1:{port}/healthz", {})[0] == 200:
                    return process
            except OSError:
                pass
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{workers} workers did not start in {STARTUP_TIMEOUT_S} s")


def measure(workers: int, database_url: str, work: Path, args: argparse.Namespace) -> Measured:
    port = free_port()
    process = start(workers, port, database_url, work / f"serve-{workers}.log")
    try:
        url = f"http://127.0.0.1:{port}{RANKING}"
        status = fetch(url, {})[0]
        if status != 200:
            raise RuntimeError(f"{RANKING}: {status}")
        wrk_run(url, {}, args.warmup, args)
        service, wrk = tree_cpu_s(process.pid), children_cpu_s()
        sample = wrk_run(url, {}, args.duration, args)
        service, wrk = tree_cpu_s(process.pid) - service, children_cpu_s() - wrk
        return Measured(sample, service, wrk, args.duration)
    finally:
        stop(process)


def run_database(name: str, database_url: str, args: argparse.Namespace) -> Results:
    prepare(database_url)
    results = Results()
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        for round_no in range(args.rounds):
            results.loads.append(os.getloadavg()[0])
            for workers in WORKERS:
                sample = measure(workers, database_url, Path(tmp), args)
                results.samples.setdefault(workers, []).append(sample)
            print(
                f"  {name}: round {round_no + 1}/{args.rounds} done, "
                f"load avg {os.getloadavg()[0]:.2f}",
                file=sys.stderr,
            )
        results.loads.append(os.getloadavg()[0])
    return results


def table(name: str, results: Results) -> str:
    one = statistics.median(m.sample.rps for m in results.samples[1])
    lines = [
        f"### {name}",
        "",
        "load average (1 min) at each round's start and at the end: "
        + ", ".join(f"{load:.2f}" for load in results.loads),
        "",
        "| workers | req/s (median) | × 1 worker | p50 ms | p99 ms | req/s per round | errors "
        "| service CPU µs/req | wrk CPU µs/req | cores busy (service + wrk) |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for workers, measured in sorted(results.samples.items()):
        samples = [m.sample for m in measured]
        rps = statistics.median(s.rps for s in samples)
        service = statistics.median(m.us_per_request(m.service_cpu_s) for m in measured)
        wrk = statistics.median(m.us_per_request(m.wrk_cpu_s) for m in measured)
        busy = statistics.median((m.service_cpu_s + m.wrk_cpu_s) / m.duration_s for m in measured)
        lines.append(
            f"| {workers} | {rps:,.0f} | {rps / one:.2f} "
            f"| {statistics.median(s.p50_ms for s in samples):.2f} "
            f"| {statistics.median(s.p99_ms for s in samples):.2f} "
            f"| {' / '.join(f'{s.rps:,.0f}' for s in samples)} | {sum(s.bad for s in samples)} "
            f"| {service:.0f} | {wrk:.0f} | {busy:.2f} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("bench/workers.py needs wrk; on Debian: apt-get install -y wrk")
    args.wrk = wrk
    return args


def main() -> None:
    args = parse_args()
    print("PAR Index workers benchmark (bench/workers.py)")
    print(f"  date      {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  command   python bench/workers.py {' '.join(sys.argv[1:])}")
    print(f"  code      {source_state()}")
    print(f"  machine   {machine()}")
    print(
        f"  wrk       -t{args.threads} -c{args.connections} -d{args.duration:g}s "
        f"after {args.warmup:g} s of warm-up, {args.rounds} rounds, on {RANKING}"
    )
    print()
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    for name in databases:
        if name == "sqlite":
            with tempfile.TemporaryDirectory(prefix="bench-workers-db-") as tmp:
                results = run_database("SQLite", f"sqlite:///{tmp}/par.sqlite3", args)
            print(table("SQLite", results), "\n", flush=True)
            continue
        database = f"par_index_workers_{os.getpid()}"
        asyncio.run(pg_admin(f'CREATE DATABASE "{database}"'))
        try:
            results = run_database("PostgreSQL", pg_url(database), args)
        finally:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        print(table("PostgreSQL", results), "\n", flush=True)


if __name__ == "__main__":
    main()
