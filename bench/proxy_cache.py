"""Warm anonymous ranking reads through the shipped nginx cache, against nginx serving a file.

A script, not a test: it asserts nothing and prints one table. On a throw-away PostgreSQL
database (migrated, loaded with the bundled data sets) it runs deploy/ as plain processes on
127.0.0.1, as tests/deployment does: two `par-index serve` replicas (one worker each) behind
Debian's nginx with deploy/nginx/par-index.conf rendered by the tests' own `render` (the
replicas' addresses, the port, the paths; nothing else changes: its cache, its access log).
The same nginx, in a second server block with the same access log, serves the 2024 department
ranking as a file: the body the cache serves, byte for byte, and the service's headers (ETag,
Cache-Control, Vary, the security headers) added, so both answers are the same size on the wire.

In each round both are measured one after the other, in alternating order, with
`wrk -t1 -c64 -d10s --latency` after a warm-up of 3 s (the first warm-up fills the cache);
a third row, one replica asked directly without the proxy, shows what the cache saves. The
table gives medians over the rounds, the ratio to the file (issue 15's target: the cache at
least 0.9 of it) both of the medians and as the median of each round's ratio (the pair measured
back to back, which other load on the machine disturbs least), and the cache statuses in nginx's
access log. nginx runs one worker process, with `sendfile on` as in the official image's
nginx.conf that compose.yaml uses (`--sendfile off` as in the tests' rendering). The
service's answers are `public, max-age=60`, so an entry expires during a run and is revalidated
(then HIT again): that is counted, not avoided. wrk runs on the same two cores as nginx.
Needs wrk and nginx (Debian: `apt-get install -y wrk nginx-light`).
"""

import argparse
import asyncio
import collections
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from http_reads import RANKING, Sample, fetch, free_port, prepare, stop, wrk_run
from run_context import machine, source_state
from throwaway_pg import pg_admin, pg_url
from workers import start

from tests.deployment.topology import MAIN_CONF, SHIPPED, nginx_binary, render

CACHED = "service through the nginx cache"
FILE = "nginx, same answer from a file"
DIRECT = "one replica directly, no proxy"
# Headers nginx writes itself, or that describe the connection rather than the answer.
OWN_HEADERS = {"date", "server", "connection", "content-length", "content-type", "x-cache-status"}
FILE_SERVER = """
server {{
    listen 127.0.0.1:{port};
    access_log {dir}/access.log par_index;
    location = /ranking {{
        default_type application/json;
        alias {dir}/ranking.json;
        etag off;
{headers}
    }}
}}
"""
CACHE_STATUS = re.compile(r" cache=(\S+) ")


@dataclass
class Results:
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    loads: list[tuple[float, float, float]] = field(default_factory=list)


def nginx_value(value: str) -> str:
    """A header value as one nginx argument, quoted with the quote it does not contain."""
    quote = "'" if '"' in value else '"'
    return f"{quote}{value}{quote}"


def file_server(port: int, folder: Path, headers: dict[str, str]) -> str:
    lines = [
        f"        add_header {name} {nginx_value(value)} always;"
        for name, value in headers.items()
        if name.lower() not in OWN_HEADERS
    ]
    return FILE_SERVER.format(port=port, dir=folder, headers="\n".join(lines))


def start_nginx(
    folder: Path, replicas: list[int], ports: tuple[int, int], sendfile: str
) -> subprocess.Popen[bytes]:
    binary = nginx_binary()
    if binary is None:
        sys.exit("bench/proxy_cache.py needs nginx; on Debian: apt-get install -y nginx-light")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    shipped = render(SHIPPED.read_text(), replicas=replicas, port=ports[0], folder=folder)
    headers = answer_headers(replicas[0])
    (folder / "par-index.conf").write_text(shipped + file_server(ports[1], folder, headers))
    user = "user root root;" if os.geteuid() == 0 else ""
    main = MAIN_CONF.format(dir=folder, user=user)
    # As the official image's nginx.conf (compose.yaml's nginx) has it; the tests leave it off.
    main = main.replace("http {", f"http {{\n    sendfile {sendfile};", 1)
    (folder / "nginx.conf").write_text(main)
    argv = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    subprocess.run([*argv, "-t"], capture_output=True, check=True)
    process = subprocess.Popen(argv, stderr=(folder / "stderr.log").open("wb"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            fetch(f"http://127.0.0.1:{ports[0]}/healthz", {})
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not answer in 10 s")


def answer_headers(replica: int) -> dict[str, str]:
    """The headers of the anonymous ranking as the service sends it."""
    with urllib.request.urlopen(f"http://127.0.0.1:{replica}{RANKING}", timeout=30) as response:
        return dict(response.headers.items())


def answer_bytes(url: str) -> int:
    """Header and body bytes of one answer (the status line left out)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return len(response.headers.as_bytes()) + len(response.read())


def cache_statuses(log: Path) -> collections.Counter[str]:
    """Cache statuses of the ranking's lines in nginx's access log, which is then emptied."""
    found: collections.Counter[str] = collections.Counter()
    if log.exists():
        with log.open() as lines:
            found.update(
                match.group(1)
                for line in lines
                if RANKING in line and (match := CACHE_STATUS.search(line))
            )
    log.write_text("")
    return found


def measure(url: str, args: argparse.Namespace) -> Sample:
    wrk_run(url, {}, args.warmup, args)
    return wrk_run(url, {}, args.duration, args)


def run_rounds(urls: dict[str, str], folder: Path, args: argparse.Namespace) -> Results:
    results = Results()
    for round_no in range(args.rounds):
        results.loads.append(os.getloadavg())
        order = [CACHED, FILE] if round_no % 2 == 0 else [FILE, CACHED]
        for label in [*order, DIRECT]:
            cache_statuses(folder / "access.log")
            results.samples.setdefault(label, []).append(measure(urls[label], args))
            if label == CACHED:
                results.statuses += cache_statuses(folder / "access.log")
        print(
            f"  round {round_no + 1}/{args.rounds} done, load avg {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
        )
    results.loads.append(os.getloadavg())
    return results


def run(database_url: str, args: argparse.Namespace) -> Results:
    prepare(database_url)
    first = args.first_port
    ports = [first, first + 1, first + 2, first + 3] if first else [free_port() for _ in range(4)]
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as tmp:
        folder = Path(tmp)
        replicas = [
            start(1, port, database_url, folder / f"serve-{port}.log") for port in ports[:2]
        ]
        proxy = None
        try:
            proxy = start_nginx(folder, ports[:2], (ports[2], ports[3]), args.sendfile)
            cached_body = fetch(f"http://127.0.0.1:{ports[2]}{RANKING}", {})[1]
            (folder / "ranking.json").write_bytes(cached_body)
            urls = {
                CACHED: f"http://127.0.0.1:{ports[2]}{RANKING}",
                FILE: f"http://127.0.0.1:{ports[3]}/ranking",
                DIRECT: f"http://127.0.0.1:{ports[0]}{RANKING}",
            }
            if fetch(urls[FILE], {})[1] != cached_body:
                raise RuntimeError("the file does not serve the cached bytes")
            sizes = {label: answer_bytes(url) for label, url in urls.items()}
            print(
                "  answers   " + ", ".join(f"{label}: {n:,} bytes" for label, n in sizes.items()),
                file=sys.stderr,
            )
            return run_rounds(urls, folder, args)
        finally:
            if proxy is not None:
                proxy.terminate()
                proxy.wait(timeout=10)
            for replica in replicas:
                stop(replica)


def table(results: Results) -> str:
    loads = "; ".join(" / ".join(f"{x:.2f}" for x in load) for load in results.loads)
    file_rps = statistics.median(s.rps for s in results.samples[FILE])
    statuses = ", ".join(f"{name} {count:,}" for name, count in results.statuses.most_common())
    lines = [
        f"load average (1/5/15 min) at each round's start and at the end: {loads}",
        "",
        f"cache statuses of the cached runs (warm-ups included): {statuses}",
        "",
        "| server | req/s (median) | × file | × file, per round (median) | p50 ms | p99 ms "
        "| req/s per round | errors |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for label in (CACHED, FILE, DIRECT):
        samples = results.samples[label]
        rps = statistics.median(s.rps for s in samples)
        paired = statistics.median(
            s.rps / f.rps for s, f in zip(samples, results.samples[FILE], strict=True)
        )
        lines.append(
            f"| {label} | {rps:,.0f} | {rps / file_rps:.2f} | {paired:.2f} "
            f"| {statistics.median(s.p50_ms for s in samples):.2f} "
            f"| {statistics.median(s.p99_ms for s in samples):.2f} "
            f"| {' / '.join(f'{s.rps:,.0f}' for s in samples)} | {sum(s.bad for s in samples)} |"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--sendfile", choices=("on", "off"), default="on", help="nginx's sendfile (image: on)"
    )
    parser.add_argument(
        "--first-port", type=int, default=0, help="four ports from here (default: free ports)"
    )
    args = parser.parse_args()
    args.wrk = shutil.which("wrk")
    if args.wrk is None:
        sys.exit("bench/proxy_cache.py needs wrk; on Debian: apt-get install -y wrk")
    return args


def main() -> None:
    args = parse_args()
    print("PAR Index proxy cache benchmark (bench/proxy_cache.py)")
    print(f"  date      {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"  command   python bench/proxy_cache.py {' '.join(sys.argv[1:])}")
    print(f"  code      {source_state()}")
    print(f"  machine   {machine()}")
    print(
        f"  wrk       -t{args.threads} -c{args.connections} -d{args.duration:g}s "
        f"after {args.warmup:g} s of warm-up, {args.rounds} rounds, on {RANKING}"
    )
    print()
    database = f"par_index_proxy_{os.getpid()}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{database}"'))
    try:
        results = run(pg_url(database), args)
    finally:
        asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    print(table(results), flush=True)


if __name__ == "__main__":
    main()
