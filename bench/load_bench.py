"""Load benchmark: req/s and p50/p99 per route, SQLite and PostgreSQL, page cache on and off,
and with an import running (on demand; not part of the test suite).

    .venv/bin/python bench/load_bench.py [--runs 3] [--seconds 5] [--clients 20]
        [--databases sqlite,postgresql] [--workers 1] [--client wrk|httpx] [--no-import]

For each database it loads the bundled demo data once (PostgreSQL: a private pgserver), then
for each run and cache setting starts `dailypapers serve` (a real process on 127.0.0.1, the
scheduler off) and drives each route for `--seconds` with `--clients` connections: Debian's
`wrk` when installed (apt-get install wrk), else an asyncio httpx client (which eats some of
the same CPUs). Then, with an import of the 74.7k arXiv listing corpus (../shared/data/
arxiv_daily_cs) running into the same database in another process, it drives the day page
and search again (the import is stopped after the window; later runs find its papers there).
Only 127.0.0.1 is ever contacted; every load is bounded by time. The table shows the median
of the runs for each row; "cache off" is the baseline measured in the same run.
"""

from __future__ import annotations

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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"
DAY = "2026-08-21"
ROUTES = {
    "day page": f"/date/{DAY}",
    "daily API": f"/api/daily_papers?date={DAY}",
    "healthz": "/healthz",
    "search": "/search?q=chain+of+thought",
}
UNDER_IMPORT = ("day page", "search")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(data_dir: Path, url: str, cache: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        {
            "DAILYPAPERS_DATABASE_URL": url,
            "DAILYPAPERS_DATA_DIR": str(data_dir),
            "DAILYPAPERS_SERVE_RUNS_SCHEDULER": "0",
            "DAILYPAPERS_PAGE_CACHE_ENABLED": "1" if cache else "0",
        }
    )
    return env


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "dailypapers", *args], env=env, check=True, capture_output=True
    )


class Server:
    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "dailypapers",
            "serve",
            "--no-migrate",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self.proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    # warm every route once (model load, first queries)
                    for path in ROUTES.values():
                        httpx.get(self.base + path, timeout=60)
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load_wrk(url: str, seconds: float, clients: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, pct("50"), pct("99"), errors


def load_httpx(url: str, seconds: float, clients: int) -> tuple[float, float, float, int]:
    async def main() -> tuple[list[float], int]:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            deadline = time.perf_counter() + seconds

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < deadline:
                    start = time.perf_counter()
                    try:
                        response = await client.get(url)
                        ok = response.status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    latencies.append((time.perf_counter() - start) * 1000)
                    errors += not ok

            await asyncio.gather(*(worker() for _ in range(clients)))
        return latencies, errors

    started = time.perf_counter()
    latencies, errors = asyncio.run(main())
    elapsed = time.perf_counter() - started
    qs = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, qs[49], qs[98], errors


def prepare(database: str, work: Path) -> tuple[str, object | None]:
    """A database holding the demo data: its URL (and the pgserver to keep alive)."""
    server = None
    if database == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        import pgserver

        server = pgserver.get_server(work / "pg", cleanup_mode="stop")
        server.psql("CREATE DATABASE bench;")
        url = server.get_uri("bench")
    env = base_env(work, url, cache=False)
    cli(env, "db", "upgrade")
    # The demo data and its precomputed vectors, once (what `serve --demo` loads).
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from dailypapers.services.bootstrap import bootstrap;"
            "s = bootstrap(); s.load_demo(); s.close()",
        ],
        env=env,
        check=True,
    )
    return url, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--client", choices=["wrk", "httpx"], default=None)
    parser.add_argument("--no-import", action="store_true")
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "httpx")
    load = load_wrk if client == "wrk" else load_httpx
    results: dict[tuple[str, str, str, str], list[tuple[float, float, float, int]]] = {}

    for database in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"load-bench-{database}-"))
        url, pg = prepare(database, work)
        try:
            for _run in range(args.runs):
                for cache in (False, True):
                    env = base_env(work, url, cache)
                    label = "on" if cache else "off"
                    server = Server(env, args.workers)
                    try:
                        for route, path in ROUTES.items():
                            sample = load(server.base + path, args.seconds, args.clients)
                            results.setdefault((database, label, "quiet", route), []).append(sample)
                        if not args.no_import:
                            importer = subprocess.Popen(
                                [
                                    sys.executable,
                                    "-m",
                                    "dailypapers",
                                    "import",
                                    "arxiv-snapshot",
                                    "--no-bulk",
                                    str(CORPUS),
                                ],
                                env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                            )
                            time.sleep(2)  # past its start-up, into the batches
                            for route in UNDER_IMPORT:
                                sample = load(
                                    server.base + ROUTES[route], args.seconds, args.clients
                                )
                                results.setdefault(
                                    (database, label, "import running", route), []
                                ).append(sample)
                            importer.send_signal(signal.SIGTERM)
                            importer.wait(60)
                    finally:
                        server.stop()
        finally:
            if pg is not None:
                pg.cleanup()
            shutil.rmtree(work, ignore_errors=True)

    print(
        f"\nload: {client}, {args.clients} connections, {args.seconds:g} s per row, "
        f"{args.workers} serve process(es), median of {args.runs} runs"
    )
    header = f"{'database':<11}{'cache':<7}{'while':<16}{'route':<11}"
    print(header + f"{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for (database, cache, scenario, route), samples in results.items():
        rps = statistics.median(s[0] for s in samples)
        p50 = statistics.median(s[1] for s in samples)
        p99 = statistics.median(s[2] for s in samples)
        errors = sum(s[3] for s in samples)
        print(
            f"{database:<11}{cache:<7}{scenario:<16}{route:<11}"
            f"{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}"
        )


if __name__ == "__main__":
    main()
