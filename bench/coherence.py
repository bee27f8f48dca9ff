"""How soon a write through one process shows on another: commit on A to the new ETag on B.

A script, not a test: it asserts nothing and prints one table. On a throw-away PostgreSQL
database (migrated, loaded with the bundled data sets) it starts, as plain `par-index serve`
processes on 127.0.0.1, a writer A and three readers that differ in one setting each:

* **push** – the defaults: LISTEN/NOTIFY on, the periodic check as a fallback every
  `APP_CACHE__PUSH_CHECK_MS` (1000 ms);
* **notice only** – push on, the fallback pushed out to 10 minutes: only the notice can show
  a write, so this row is what LISTEN/NOTIFY alone achieves;
* **polling** – `APP_CACHE__PUSH=false`: the periodic check every
  `APP_CACHE__REVISION_CHECK_MS` (100 ms), as on SQLite or while the listener reconnects.

The write is a draft year's score sheet replaced through A (PUT …/scores with an admin key,
one leaf's final score toggled so each write changes something): the cheap, authenticated write
an editor makes all day. The read is the draft year's ranking on the reader, with the same key.
Each measurement first waits until the reader serves A's current ETag, so it starts from a
reader that has caught up, and pauses a random 0–100 ms; then it times from A's 2xx answer (the
write has committed) until the reader answers with another ETag, polling it over one kept-alive
connection without a pause.
The figure therefore includes at least one whole request on the reader, and the request that
first shows the write rebuilds the ranking (a cold read): "request round trip" gives their mean
length, "shown by the first request" how often the reader's first request after A's answer
already carried the new ETag (the change had reached it before that request was handled).
The readers take turns write by write, so all see the same machine.
"""

import argparse
import asyncio
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from http_reads import UNLIMITED, cli, free_port, service_env
from run_context import ROOT, machine, source_state
from throwaway_pg import pg_admin, pg_url

READERS = {
    "push": {},
    "notice only": {"APP_CACHE__PUSH_CHECK_MS": "600000"},
    "polling": {"APP_CACHE__PUSH": "false"},
}
SOURCE_YEAR, GROUP, UNIT = 2023, "demo-department", "DEMO-DEP-AGRICULTURE"
MAX_WRITES = 2000
CENT = Decimal("0.01")
CATCH_UP_S = 5.0  # a reader that has not caught up with A by then is a failure, not a figure
GIVE_UP_S = 5.0
PHASE_S = 0.1  # APP_CACHE__REVISION_CHECK_MS's default
PHASES = random.Random(15)  # seeded: the same pauses on every run


@dataclass
class Process:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    client: httpx.Client


@dataclass
class Timings:
    waits_ms: list[float] = field(default_factory=list)
    poll_ms: list[float] = field(default_factory=list)  # one request's round trip on the reader
    first_poll: int = 0  # writes that the reader's first request after A's answer showed
    missed: int = 0  # no new ETag within GIVE_UP_S


def start(name: str, port: int, database_url: str, settings: dict[str, str], key: str) -> Process:
    env = service_env(database_url) | settings
    env |= {
        "APP_RATE_LIMIT__WRITES_PER_MINUTE": UNLIMITED,
        "APP_WEBHOOKS__ENABLED": "false",
        "APP_LOGGING__LEVEL": "WARNING",
    }
    log = Path(tempfile.gettempdir()) / f"bench-coherence-{os.getpid()}-{port}.log"
    argv = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: see {log}")
        try:
            if client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return Process(name, port, process, client)
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not get ready in 60 s: see {log}")


def stop(process: Process) -> None:
    process.client.close()
    process.process.send_signal(signal.SIGTERM)
    try:
        process.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.process.kill()
        process.process.wait()


def ok(response: httpx.Response) -> Any:
    if not response.is_success:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()


def draft_year(writer: Process) -> tuple[int, list[dict[str, str]]]:
    """A new draft year with the demo departments' criteria and one unit's scores; the year
    and that score sheet."""
    client = writer.client
    year = max(row["year"] for row in ok(client.get("/years"))) + 1
    ok(client.post("/years", json={"year": year}))
    tree = ok(client.get(f"/years/{SOURCE_YEAR}/criteria/{GROUP}"))
    criteria = [
        {key: node[key] for key in ("code", "name_vi", "name_en", "max_score")}
        | ({"method": node["method"]} if node["is_leaf"] else {})
        for node in tree["criteria"]
    ]
    ok(client.put(f"/years/{year}/criteria/{GROUP}", json={"criteria": criteria, "bands": []}))
    sheet = ok(client.get(f"/years/{SOURCE_YEAR}/units/{UNIT}/scores"))["scores"]
    scores = [
        {key: row[key] for key in ("criterion", "self_score", "final_score")} for row in sheet
    ]
    ok(client.put(f"/years/{year}/units/{UNIT}/scores", json={"scores": scores}))
    return year, scores


def etag(process: Process, path: str) -> str:
    response = process.client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{process.name} {path}: {response.status_code} {response.text}")
    return response.headers["ETag"]


def catch_up(reader: Process, writer: Process, path: str) -> str:
    """Wait until `reader` serves the ETag `writer` serves; that ETag."""
    wanted, deadline = etag(writer, path), time.monotonic() + CATCH_UP_S
    while etag(reader, path) != wanted:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{reader.name} still behind {wanted} after {CATCH_UP_S} s")
        time.sleep(0.01)
    return wanted


def toggled(scores: list[dict[str, str]], write_no: int) -> list[dict[str, str]]:
    """The sheet with its first leaf's final score a cent lower on odd writes."""
    first = dict(scores[0])
    first["final_score"] = str(Decimal(first["final_score"]) - CENT * (write_no % 2))
    return [first, *scores[1:]]


def measure_one(
    writer: Process, reader: Process, year: int, scores: list[dict[str, str]], write_no: int
) -> tuple[float | None, float]:
    """Milliseconds from A's answer to B's new ETag (None if none within GIVE_UP_S), and how
    many requests B answered in that time."""
    path = f"/years/{year}/rankings/{GROUP}"
    before = catch_up(reader, writer, path)
    # catch_up returns just after a polling reader re-read the revision; a random pause puts
    # the write at a random point of its check period, as for a write from an unrelated caller.
    time.sleep(PHASES.uniform(0, PHASE_S))
    ok(writer.client.put(f"/years/{year}/units/{UNIT}/scores", json={"scores": scores}))
    committed = time.perf_counter()
    polls = 0
    while time.perf_counter() - committed < GIVE_UP_S:
        polls += 1
        if etag(reader, path) != before:
            seen = time.perf_counter()
            return (seen - committed) * 1000, polls
    return None, polls


def run(database_url: str, args: argparse.Namespace) -> dict[str, Timings]:
    env = service_env(database_url)
    cli(env, "migrate")
    cli(env, "load")
    key = cli(env, "keys", "create", "--name", "bench-coherence", "--role", "admin").strip()
    ports = iter(range(args.first_port, args.first_port + 4)) if args.first_port else None
    started: list[Process] = []
    try:
        for name, settings in {"writer": {}, **READERS}.items():
            port = next(ports) if ports else free_port()
            started.append(start(name, port, database_url, settings, key))
        writer, readers = started[0], started[1:]
        year, scores = draft_year(writer)
        timings = {reader.name: Timings() for reader in readers}
        for write_no in range(args.writes):
            reader = readers[write_no % len(readers)]
            waited, polls = measure_one(writer, reader, year, toggled(scores, write_no), write_no)
            found = timings[reader.name]
            if waited is None:
                found.missed += 1
                continue
            found.waits_ms.append(waited)
            found.poll_ms.append(waited / polls)
            found.first_poll += polls == 1
        return timings
    finally:
        for process in started:
            stop(process)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of them."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def table(timings: dict[str, Timings]) -> str:
    lines = [
        "| reader | writes | median ms | p90 ms | p99 ms | max ms | shown by the first "
        "request | request round trip ms (median) | none within 5 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, found in timings.items():
        waits = found.waits_ms or [float("nan")]
        lines.append(
            f"| {name} | {len(found.waits_ms) + found.missed} "
            f"| {statistics.median(waits):.1f} | {percentile(waits, 0.90):.1f} "
            f"| {percentile(waits, 0.99):.1f} | {max(waits):.1f} "
            f"| {found.first_poll / max(len(found.waits_ms), 1):.0%} "
            f"| {statistics.median(found.poll_ms or [float('nan')]):.1f} | {found.missed} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--writes",
        type=int,
        default=300,
        help=f"writes in all, shared by the readers (≤ {MAX_WRITES})",
    )
    parser.add_argument(
        "--first-port",
        type=int,
        default=0,
        help="the four processes' ports start here (default: free ports)",
    )
    args = parser.parse_args()
    if not 1 <= args.writes <= MAX_WRITES:
        parser.error(f"--writes must be between 1 and {MAX_WRITES}")
    return args


def load_averages() -> str:
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


def main() -> None:
    args = parse_args()
    print("PAR Index coherence benchmark (bench/coherence.py)")
    print(f"  date      {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  command   python bench/coherence.py {' '.join(sys.argv[1:])}")
    print(f"  code      {source_state()}")
    print(f"  machine   {machine()}")
    print(f"  load avg  {load_averages()} (1/5/15 min) at the start")
    database = f"par_index_coherence_{os.getpid()}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{database}"'))
    try:
        timings = run(pg_url(database), args)
    finally:
        asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    print(f"  load avg  {load_averages()} (1/5/15 min) at the end")
    print()
    print(table(timings), flush=True)


if __name__ == "__main__":
    main()
