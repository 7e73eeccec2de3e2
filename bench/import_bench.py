"""Import and daily-page benchmark (on demand; not part of the test suite).

    .venv/bin/python bench/import_bench.py [--runs 3] [--requests 200] [--scale 1000000]
        [--backends sqlite postgresql] [--import-only] [--baseline OLD_SRC]

1. Imports all 74,728 papers of ../shared/data/arxiv_daily_cs into a fresh database with
   the real CLI (`import arxiv-snapshot`, bulk: the keyword index is built at the end and
   included in the time) in a child process, `--runs` times per backend (SQLite file; a
   fresh database on a private `pgserver` PostgreSQL, or on DAILYPAPERS_TEST_PG_URL); prints
   papers/s, the import process's own peak RSS (os.wait4) and the CPU seconds of the import
   plus a local server's (/proc), median of the runs: on a shared machine the wall clock
   depends on the neighbours, the CPU seconds much less. The PostgreSQL server's own memory
   is not the import's and is not counted.
2. (SQLite only, skipped with --import-only) Times the daily page in-process (server time:
   the app's own Server-Timing header when it sends one, else the in-process round trip) over
   `--requests` requests on random listing days, at 75k papers; then replicates the corpus
   with new ids up to `--scale` papers (the same listing days, so each day holds ~13x more
   papers) and times it again.
   `--baseline DIR` (a `src` folder of other code, e.g. `git archive <commit> src | tar -x`)
   imports each run with that code too, interleaved with this tree's run on the same
   machine (the figures of a shared machine are only comparable within one command); the
   load average is printed before and after.
Targets (DESIGN, 2 cores): import >= 5,000 papers/s with peak RSS < 500 MB; daily page
p50 < 10 ms at 1M papers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support import fresh_database, postgres_admin_url

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"


def server_cpu_s(admin_url: str | None) -> float:
    """CPU seconds used so far by a local PostgreSQL (its postmaster, its exited backends and
    its live children), read from /proc; 0 for SQLite or a server we can't see."""
    if not admin_url or "host=" not in admin_url:
        return 0.0
    pid_file = Path(admin_url.split("host=")[1].split("&")[0]) / "postmaster.pid"
    try:
        postmaster = int(pid_file.read_text().split()[0])
    except (OSError, ValueError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def run_import(url: str, src: str | None = None) -> tuple[float, float, float, dict]:
    """One import in a child process (with the code under `src` when given, else this
    tree's): (seconds, peak RSS in MB, CPU seconds, its report)."""
    env = {**os.environ, "DAILYPAPERS_DATABASE_URL": url}
    if src:
        env["PYTHONPATH"] = src
    subprocess.run(
        [sys.executable, "-m", "dailypapers", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "dailypapers", "import", "arxiv-snapshot", "--json", str(DATA)],
            env=env,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if child.returncode not in (0, 1):  # 1: some records were skipped
        raise SystemExit(f"import failed ({child.returncode}): {text[-2000:]}")
    report = json.loads(text)[0]
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, report


@contextmanager
def backend_database(backend: str, tmp: Path, admin_url: str | None) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp / f"import-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    assert admin_url is not None
    with fresh_database(admin_url, prefix="bench_") as url:
        yield url


def bench_imports(
    backend: str, runs: int, tmp: Path, admin_url: str | None, codes: dict[str, str | None]
) -> dict[str, dict]:
    """`runs` imports per code (label -> src folder, None: this tree), interleaved."""
    seen: dict[str, dict[str, list[float]]] = {
        label: {"rate": [], "rss": [], "client": [], "server": []} for label in codes
    }
    for run in range(runs):
        for label, src in codes.items():
            with backend_database(backend, tmp, admin_url) as url:
                server_before = server_cpu_s(admin_url)
                elapsed, peak_mb, client_cpu, report = run_import(url, src)
                server = server_cpu_s(admin_url) - server_before
            papers = report["inserted"]
            for key, value in (
                ("rate", papers / elapsed),
                ("rss", peak_mb),
                ("client", client_cpu),
                ("server", server),
            ):
                seen[label][key].append(value)
            print(
                f"{backend} {label} run {run + 1}: {papers:,} papers in {elapsed:.1f} s = "
                f"{papers / elapsed:,.0f} papers/s, peak RSS {peak_mb:.0f} MB, CPU "
                f"{client_cpu:.1f} s import + {server:.1f} s server, load {_load()}",
                file=sys.stderr,
            )
    return {
        label: {
            "rate": statistics.median(v["rate"]),
            "rss": statistics.median(v["rss"]),
            "max_rss": max(v["rss"]),
            "client": statistics.median(v["client"]),
            "server": statistics.median(v["server"]),
        }
        for label, v in seen.items()
    }


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def replicate(db_path: Path, target: int) -> int:
    """Copy papers and their entries under new ids (`<id>r<k>`) until `target` papers exist."""
    conn = sqlite3.connect(db_path)
    base = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(papers)")]
    rest = ", ".join(c for c in cols if c != "arxiv_id")
    copy = 1
    total = base
    while total < target:
        take = min(base, target - total)
        conn.execute(
            f"INSERT INTO papers (arxiv_id, {rest}) SELECT arxiv_id || 'r{copy}', {rest} "
            f"FROM papers WHERE arxiv_id NOT LIKE '%r%' ORDER BY arxiv_id LIMIT {take}"
        )
        conn.execute(
            "INSERT INTO daily_entries (day, arxiv_id, source, submitted_by, submitted_at, "
            f"position) SELECT e.day, e.arxiv_id || 'r{copy}', e.source, e.submitted_by, "
            "e.submitted_at, e.position FROM daily_entries e JOIN papers p "
            f"ON p.arxiv_id = e.arxiv_id || 'r{copy}'"
        )
        conn.commit()
        total += take
        copy += 1
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return total


def time_daily_page(db_path: Path, requests: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from dailypapers.app import create_app
    from dailypapers.config import Settings
    from dailypapers.services.bootstrap import bootstrap

    services = bootstrap(
        Settings(database_url=f"sqlite:///{db_path}", data_dir=db_path.parent, server_timing=True)
    )
    conn = sqlite3.connect(db_path)
    days = [r[0] for r in conn.execute("SELECT DISTINCT day FROM daily_entries")]
    per_day = conn.execute(
        "SELECT avg(n) FROM (SELECT count(*) n FROM daily_entries GROUP BY day)"
    ).fetchone()[0]
    conn.close()
    rng = random.Random(7)
    samples: dict[str, list[float]] = {"html": [], "api": []}
    with TestClient(create_app(services)) as client:
        for path in ("/date/{d}", "/api/daily_papers?date={d}"):
            client.get(path.format(d=days[0]))  # warm-up: templates, pools
            kind = "api" if path.startswith("/api") else "html"
            for _ in range(requests):
                url = path.format(d=rng.choice(days))
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, url
                timing = response.headers.get("server-timing", "")
                if "dur=" in timing:
                    elapsed = float(timing.split("dur=")[1].split(",")[0].split(";")[0])
                samples[kind].append(elapsed)
    services.close()
    result: dict[str, float] = {"papers_per_day": per_day}
    for kind, values in samples.items():
        values.sort()
        result[f"{kind}_p50"] = statistics.median(values)
        result[f"{kind}_p95"] = values[int(len(values) * 0.95) - 1]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    parser.add_argument("--import-only", action="store_true", help="skip the daily-page timing")
    parser.add_argument("--baseline", help="a src folder of other code to import with too")
    args = parser.parse_args()
    codes: dict[str, str | None] = {"this tree": None}
    if args.baseline:
        codes = {"baseline": str(Path(args.baseline).resolve()), **codes}
    load_before = _load()
    imports: dict[tuple[str, str], dict] = {}
    pages: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="dp-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        for backend in args.backends:
            if backend == "postgresql":
                with postgres_admin_url("dp-bench-pg-") as admin_url:
                    found = bench_imports(backend, args.runs, tmp, admin_url, codes)
            else:
                found = bench_imports(backend, args.runs, tmp, None, codes)
            imports.update({(backend, label): result for label, result in found.items()})
        if not args.import_only:
            db_path = tmp / "pages.db"
            run_import(f"sqlite:///{db_path}")  # the pages' database
            pages.append(("75k", time_daily_page(db_path, args.requests)))
            total = replicate(db_path, args.scale)
            pages.append((f"{total / 1e6:.1f}M", time_daily_page(db_path, args.requests)))

    print()
    print(f"load average before: {load_before}; after: {_load()}")
    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    for (backend, label), result in imports.items():
        name = backend if len(codes) == 1 else f"{backend}, {label}"
        print(
            f"| import 74,728 papers, {name} (median of {args.runs}) | "
            f"{result['rate']:,.0f} papers/s | >= 5,000 |"
        )
        print(
            f"| CPU seconds, import + database server, {name} (medians) | "
            f"{result['client']:.1f} + {result['server']:.1f} s | |"
        )
        print(
            f"| import peak RSS, {name} (median / max of {args.runs}) | "
            f"{result['rss']:.0f} / {result['max_rss']:.0f} MB | < 500 MB |"
        )
    for label, result in pages:
        print(
            f"| /date page p50 / p95 at {label} papers ({result['papers_per_day']:.0f}/day) | "
            f"{result['html_p50']:.1f} / {result['html_p95']:.1f} ms | p50 < 10 ms at 1M |"
        )
        print(
            f"| /api/daily_papers p50 / p95 at {label} papers | "
            f"{result['api_p50']:.1f} / {result['api_p95']:.1f} ms | |"
        )


if __name__ == "__main__":
    main()
