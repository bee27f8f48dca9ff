"""Warm reads over real HTTP: the service against nginx and a bare FastAPI route, with wrk.

A script, not a test: it asserts nothing and prints one table per database. For each database
(a SQLite file and a throw-away PostgreSQL database, both migrated and loaded with the bundled
data sets) it runs, in rounds, one server at a time on 127.0.0.1:

* nginx serving the 2024 department ranking's bytes from a file;
* a bare FastAPI `async def` route returning the same bytes from memory (uvicorn, as served);
* the service (`par-index serve`, one worker, everything on: access log, metrics, security
  headers, rate limiter with ceilings raised so it counts but never refuses, ETags), warm:
  every case is fetched once and warmed up with wrk before it is measured;
* the service again with `If-None-Match` carrying the ETag it gave (answers 304).

Each case is `wrk -t1 -c32 -d10s --latency` after a warm-up; the table gives the median over
the rounds of req/s, p50 and p99, and req/s as a ratio to the bare route of the same run.
`--baseline DIR` measures the service of another checkout too, in the same rounds ("before"
rows). Needs wrk and nginx (Debian: `apt-get install -y wrk nginx-light`).

Not named http.py: a script's folder comes first on sys.path, so a bench/http.py would stand
in for the standard library's `http` package in every script here.
"""

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from run_context import ROOT, machine, source_state
from throwaway_pg import pg_admin, pg_url

RANKING = "/api/v1/years/2024/rankings/department"
ENDPOINTS = {
    "ranking": RANKING,
    "breakdown": "/api/v1/years/2023/units/DEMO-DEP-AGRICULTURE/breakdown",
    "unit improvements": "/api/v1/years/2023/units/DEMO-DEP-AGRICULTURE/improvements",
    "group improvements": "/api/v1/years/2023/improvements/demo-department",
}
UNLIMITED = str(10**9)  # the limiter still counts every request, it never refuses one here
INSTALL_HINT = "apt-get install -y wrk nginx-light"
NGINX_CONF = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location = /ranking {{ default_type application/json; alias {dir}/ranking.json; }}
    }}
}}
"""


@dataclass(frozen=True)
class Case:
    label: str
    server: str  # nginx | bare | service | baseline (the service from another checkout)
    path: str
    key: bool = False
    conditional: bool = False


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # responses that were not 2xx/3xx, plus socket errors


@dataclass
class Results:
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)


def cases(selected: set[str] | None, *, baseline: bool) -> list[Case]:
    found = [
        Case("nginx, same bytes from a file", "nginx", "/ranking"),
        Case("bare FastAPI route, same bytes from memory", "bare", "/ranking"),
    ]
    for name, path in ENDPOINTS.items():
        found.append(Case(f"service warm: {name}", "service", path))
    found.append(Case("service warm: ranking, reader key", "service", RANKING, key=True))
    for name, path in ENDPOINTS.items():
        found.append(Case(f"service 304: {name}", "service", path, conditional=True))
    found.append(
        Case("service 304: ranking, reader key", "service", RANKING, key=True, conditional=True)
    )
    if selected is not None:
        found = [case for case in found if case.server != "service" or case.label in selected]
    if baseline:
        found += [
            Case(f"before: {case.label}", "baseline", case.path, case.key, case.conditional)
            for case in found
            if case.server == "service"
        ]
    return found


def check_tools(args: argparse.Namespace) -> None:
    """wrk and nginx, found on the PATH (nginx also in /usr/sbin), or say how to install them."""
    wrk, nginx = shutil.which("wrk"), shutil.which("nginx") or "/usr/sbin/nginx"
    if wrk is None or not Path(nginx).exists():
        sys.exit(f"bench/http_reads.py needs wrk and nginx; on Debian: {INSTALL_HINT}")
    args.wrk, args.nginx = wrk, nginx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def service_env(database_url: str, source: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env.update(
        PYTHONPATH=str(source),
        DATABASE_URL=database_url,
        APP_RATE_LIMIT__ANONYMOUS_READS_PER_MINUTE=UNLIMITED,
        APP_RATE_LIMIT__KEYED_READS_PER_MINUTE=UNLIMITED,
    )
    return env


def prepare(database_url: str) -> str:
    """Migrate, load both bundled data sets, create a reader key; the key."""
    env = service_env(database_url)
    cli(env, "migrate")
    cli(env, "load")
    return cli(env, "keys", "create", "--name", "bench-http", "--role", "reader").strip()


def fetch(url: str, headers: dict[str, str]) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("ETag")


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            fetch(url, {})
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start(
    server: str, work: Path, port: int, database_url: str, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    """One server on 127.0.0.1:port, answering; its output goes to a file in `work`."""
    log = (work / f"{server}.log").open("ab")
    source, env, probe = ROOT, dict(os.environ), "/ranking"
    if server == "nginx":
        (work / "tmp").mkdir(exist_ok=True)
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=work, port=port))
        argv = [args.nginx, "-p", str(work), "-c", str(conf), "-e", str(work / "nginx-error.log")]
    elif server == "bare":
        argv = [sys.executable, __file__, "--serve-bare", str(port), str(work / "ranking.json")]
    else:
        source = args.baseline if server == "baseline" else ROOT
        argv = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
        argv += ["--port", str(port)]
        env, probe = service_env(database_url, source), "/healthz"
    process = subprocess.Popen(argv, cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{port}{probe}", process)
    return process


def serve_bare(port: int, body_file: str) -> None:
    """The framework's floor: one FastAPI route, the bytes from memory, uvicorn as served."""
    import uvicorn
    from fastapi import FastAPI, Response

    body = Path(body_file).read_bytes()
    app = FastAPI()

    @app.get("/ranking")
    async def ranking() -> Response:
        return Response(body, media_type="application/json")

    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_run(url: str, headers: dict[str, str], seconds: int, args: argparse.Namespace) -> Sample:
    argv = [args.wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = {p: float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(out)}
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    bad += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Sample(rps, latency["50"], latency["99"], bad)


def request_headers(case: Case, key: str, etags: dict[tuple[str, bool], str]) -> dict[str, str]:
    headers = {"X-API-Key": key} if case.key else {}
    if case.conditional:
        headers["If-None-Match"] = etags[(case.path, case.key)]
    return headers


def measure_service(
    port: int, todo: list[Case], key: str, args: argparse.Namespace, results: Results
) -> None:
    base = f"http://127.0.0.1:{port}"
    etags: dict[tuple[str, bool], str] = {}
    for case in todo:  # fetch (fills the caches), check the status, keep the ETag
        headers = {"X-API-Key": key} if case.key else {}
        status, _, etag = fetch(base + case.path, headers)
        if status != 200 or etag is None:
            raise RuntimeError(f"{case.path}: {status}, ETag {etag}")
        etags[(case.path, case.key)] = etag
    for case in todo:
        headers = request_headers(case, key, etags)
        if case.conditional and fetch(base + case.path, headers)[0] != 304:
            raise RuntimeError(f"{case.label}: no 304")
        wrk_run(base + case.path, headers, args.warmup, args)
        results.samples.setdefault(case.label, []).append(
            wrk_run(base + case.path, headers, args.duration, args)
        )


def measure_server(
    server: str,
    todo: list[Case],
    key: str,
    work: Path,
    database_url: str,
    args: argparse.Namespace,
    results: Results,
) -> None:
    port = free_port()
    process = start(server, work, port, database_url, args)
    try:
        if server in ("nginx", "bare"):
            url = f"http://127.0.0.1:{port}/ranking"
            wrk_run(url, {}, args.warmup, args)
            results.samples.setdefault(todo[0].label, []).append(
                wrk_run(url, {}, args.duration, args)
            )
            return
        status, body, _ = fetch(f"http://127.0.0.1:{port}{RANKING}", {})
        if status != 200:
            raise RuntimeError(f"{RANKING}: {status}")
        if server == "service":  # the bytes nginx and the bare route serve
            (work / "ranking.json").write_bytes(body)
        measure_service(port, todo, key, args, results)
    finally:
        stop(process)
        (work / f"{server}.log").unlink(missing_ok=True)  # access lines: large, not needed


def run_database(
    name: str, database_url: str, all_cases: list[Case], args: argparse.Namespace
) -> Results:
    key = prepare(database_url)
    results = Results()
    servers = (
        ["service", "baseline", "nginx", "bare"] if args.baseline else ["service", "nginx", "bare"]
    )
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's worker process runs as an unprivileged user
        for round_no in range(args.rounds):
            results.loads.append(os.getloadavg()[0])
            for server in servers:
                todo = [case for case in all_cases if case.server == server]
                measure_server(server, todo, key, work, database_url, args, results)
            print(
                f"  {name}: round {round_no + 1}/{args.rounds} done, "
                f"load avg {os.getloadavg()[0]:.2f}",
                file=sys.stderr,
            )
        results.loads.append(os.getloadavg()[0])
    return results


def table(name: str, results: Results, all_cases: list[Case]) -> str:
    bare = statistics.median(s.rps for s in results.samples[all_cases[1].label])
    lines = [
        f"### {name}",
        "",
        "load average (1 min) at each round's start and at the end: "
        + ", ".join(f"{load:.2f}" for load in results.loads),
        "",
        "| server | req/s (median) | × bare | p50 ms | p99 ms | req/s per round | errors |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for case in all_cases:
        samples = results.samples.get(case.label)
        if not samples:
            continue
        rps = statistics.median(s.rps for s in samples)
        lines.append(
            f"| {case.label} | {rps:,.0f} | {rps / bare:.2f} "
            f"| {statistics.median(s.p50_ms for s in samples):.2f} "
            f"| {statistics.median(s.p99_ms for s in samples):.2f} "
            f"| {' / '.join(f'{s.rps:,.0f}' for s in samples)} | {sum(s.bad for s in samples)} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cases", help="comma-separated service case labels (default: all)")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. `git archive <commit> | tar -x -C DIR`) whose service is "
        "measured too, in the same rounds, as 'before: …' rows",
    )
    parser.add_argument(
        "--serve-bare", nargs=2, metavar=("PORT", "BODY_FILE"), help=argparse.SUPPRESS
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
        return
    check_tools(args)
    selected = {label.strip() for label in args.cases.split(",")} if args.cases else None
    all_cases = cases(selected, baseline=args.baseline is not None)
    print("PAR Index HTTP benchmark (bench/http_reads.py)")
    print(f"  date      {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  command   python bench/http_reads.py {' '.join(sys.argv[1:])}")
    print(f"  code      {source_state()}")
    if args.baseline:
        print(f"  before    the service from {args.baseline} (rows 'before: …')")
    print(f"  machine   {machine()}")
    print(
        f"  wrk       -t{args.threads} -c{args.connections} -d{args.duration:g}s "
        f"after {args.warmup:g} s of warm-up, {args.rounds} rounds"
    )
    print()
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    for name in databases:
        if name == "sqlite":
            with tempfile.TemporaryDirectory(prefix="bench-http-db-") as tmp:
                results = run_database("SQLite", f"sqlite:///{tmp}/par.sqlite3", all_cases, args)
            print(table("SQLite", results, all_cases), "\n", flush=True)
            continue
        database = f"par_index_http_{os.getpid()}"
        asyncio.run(pg_admin(f'CREATE DATABASE "{database}"'))
        try:
            results = run_database("PostgreSQL", pg_url(database), all_cases, args)
        finally:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        print(table("PostgreSQL", results, all_cases), "\n", flush=True)


if __name__ == "__main__":
    main()
