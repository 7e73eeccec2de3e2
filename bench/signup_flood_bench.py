"""A sign-up flood from one client: server memory and /healthz latency, before and after.

    python bench/signup_flood_bench.py [--signups 120] [--concurrency 40]

Each scenario runs in a fresh process (so its peak memory is its own): a LiveServer (uvicorn in
a thread) on a new SQLite file with the production argon2 costs (64 MiB per hash), then
`--signups` sign-ups at `--concurrency` from one client address while another thread asks
`/healthz` every 50 ms. Prints one row per scenario: the server process's memory before and
at its peak (VmRSS, VmHWM), /healthz median and worst latency during the flood, and the
answers the sign-ups got.

Scenarios:
- unlimited: no sign-up limits and unbounded concurrent hashes (how the site was before);
- hash-bound: sign-up limits off, `password_hash_concurrency` at its default (2);
- defaults:   every default (5 sign-ups per client an hour, 2 hashes at once).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap
from support import LiveServer, free_port

SCENARIOS = {
    "unlimited": {
        "signups_per_ip_per_hour": 1_000_000,
        "signups_per_hour": 1_000_000,
        "mail_sends_per_ip_per_hour": 1_000_000,
        "password_hash_concurrency": 1_000,
    },
    "hash-bound": {
        "signups_per_ip_per_hour": 1_000_000,
        "signups_per_hour": 1_000_000,
        "mail_sends_per_ip_per_hour": 1_000_000,
    },
    "defaults": {},
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _memory_mib() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, in MiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def _sign_up(base: str, n: int) -> int:
    with httpx.Client(base_url=base, timeout=120) as client:
        token = _CSRF.search(client.get("/signup").text)
        if token is None:
            return 0
        data = {
            "username": f"flood{n}",
            "email": f"flood{n}@example.org",
            "password": "correct horse battery",
            "csrf_token": token[1],
        }
        return client.post("/signup", data=data).status_code


def run_scenario(name: str, signups: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = Settings(
            data_dir=Path(tmp),
            database_url=f"sqlite:///{tmp}/flood.db",
            base_url=f"http://127.0.0.1:{port}",
            mail_backend="console",
            **SCENARIOS[name],
        )
        services = bootstrap(settings)
        services.upgrade_schema()
        latencies: list[float] = []
        done = threading.Event()
        with LiveServer(create_app(services), port) as base:

            def probe() -> None:
                with httpx.Client(base_url=base, timeout=60) as client:
                    while not done.is_set():
                        start = time.perf_counter()
                        client.get("/healthz")
                        latencies.append((time.perf_counter() - start) * 1000)
                        time.sleep(0.05)

            _sign_up(base, -1)  # warm up: the first hash, the templates
            before, _ = _memory_mib()
            prober = threading.Thread(target=probe)
            prober.start()
            start = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                statuses = Counter(pool.map(lambda n: _sign_up(base, n), range(signups)))
            wall = time.perf_counter() - start
            done.set()
            prober.join()
            after, peak = _memory_mib()
        services.close()
    return {
        "scenario": name,
        "rss_before_mib": round(before),
        "rss_peak_mib": round(peak),
        "rss_after_mib": round(after),
        "healthz_p50_ms": round(statistics.median(latencies), 1),
        "healthz_max_ms": round(max(latencies), 1),
        "wall_s": round(wall, 1),
        "answers": dict(sorted(statuses.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signups", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append")
    args = parser.parse_args()
    if args.scenario:  # the child process: one scenario, its row as JSON
        print(json.dumps(run_scenario(args.scenario, args.signups, args.concurrency)))
        return
    rows = []
    for name in args.only or list(SCENARIOS):
        command = [sys.executable, __file__, "--scenario", name]
        command += ["--signups", str(args.signups), "--concurrency", str(args.concurrency)]
        out = subprocess.run(
            command,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"{args.signups} sign-ups at concurrency {args.concurrency} from one client")
    header = (
        f"{'scenario':<11} {'RSS before':>10} {'RSS peak':>9} {'healthz p50':>12} "
        f"{'healthz max':>12} {'wall':>7}  answers"
    )
    print(header)
    for r in rows:
        print(
            f"{r['scenario']:<11} {r['rss_before_mib']:>7} MiB {r['rss_peak_mib']:>5} MiB "
            f"{r['healthz_p50_ms']:>9} ms {r['healthz_max_ms']:>9} ms {r['wall_s']:>5} s  "
            f"{r['answers']}"
        )


if __name__ == "__main__":
    main()
