"""Import and daily-page benchmark (on demand; not part of the test suite).

    .venv/bin/python bench/import_bench.py [--runs 3] [--requests 200] [--scale 1000000]

1. Imports all 74,728 papers of ../shared/data/arxiv_daily_cs into a fresh SQLite file with
   the real CLI in a child process (so its peak RSS is the import's alone), `--runs` times;
   prints papers/s and peak RSS, median of the runs.
2. Times the daily page in-process (server time: the app's own Server-Timing header when it
   sends one, else the in-process round trip) over `--requests` requests on random listing
   days, at 75k papers; then replicates the corpus with new ids up to `--scale` papers
   (the same listing days, so each day holds ~13x more papers) and times it again.
Targets (DESIGN, 2 cores): import >= 5,000 papers/s with peak RSS < 500 MB; daily page
p50 < 10 ms at 1M papers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"


def run_import(db_path: Path) -> tuple[float, float, dict]:
    env = {**os.environ, "DAILYPAPERS_DATABASE_URL": f"sqlite:///{db_path}"}
    subprocess.run(
        [sys.executable, "-m", "dailypapers", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dailypapers", "import", "arxiv-snapshot", "--json", str(DATA)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads(out.stdout)[0]
    return elapsed, max(peak_kb, before) / 1024, report


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dp-bench-") as tmp:
        rates, rss, last_db = [], [], None
        for run in range(args.runs):
            db_path = Path(tmp) / f"import{run}.db"
            elapsed, peak_mb, report = run_import(db_path)
            papers = report["inserted"]
            rates.append(papers / elapsed)
            rss.append(peak_mb)
            print(
                f"run {run + 1}: {papers:,} papers in {elapsed:.1f} s = {papers / elapsed:,.0f}"
                f" papers/s, peak RSS {peak_mb:.0f} MB",
                file=sys.stderr,
            )
            if last_db:
                last_db.unlink()
            last_db = db_path
        small = time_daily_page(last_db, args.requests)
        total = replicate(last_db, args.scale)
        large = time_daily_page(last_db, args.requests)

    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    print(
        f"| import 74,728 papers (median of {args.runs}) | "
        f"{statistics.median(rates):,.0f} papers/s | >= 5,000 |"
    )
    print(f"| import peak RSS (max of {args.runs}) | {max(rss):.0f} MB | < 500 MB |")
    for label, result in (("75k", small), (f"{total / 1e6:.1f}M", large)):
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
