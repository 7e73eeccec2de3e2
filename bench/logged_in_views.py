"""What a logged-in page costs beside an anonymous page-cache hit, with the viewer-independent
part reused (web/view_cache.py) and without (on demand; not a test).

    .venv/bin/python bench/logged_in_views.py [--rounds 200] [--databases sqlite,postgresql]

The demo data in a SQLite file and in a private PostgreSQL (pgserver), one logged-in user who
upvoted two of the day's papers, the app in-process (Starlette's TestClient, whose own
overhead is in every figure alike). Each round asks, in turn: the day page and a paper page
as an anonymous visitor (page-cache hits), and both logged in with the view cache on and off,
so other load on the machine falls on every column alike. Prints the median and p90 ms.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap

DAY = "/date/2026-08-21"
PASSWORD = "correct horse battery"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}


def measure(url: str, work: Path, rounds: int) -> dict[str, list[float]]:
    services = bootstrap(Settings(data_dir=work, database_url=url, **CHEAP_ARGON2))
    services.upgrade_schema()
    services.load_demo()
    user = services.community.accounts.create_user(
        "reader", "reader@example.org", PASSWORD, verified=True
    )
    app = create_app(services)
    anonymous, reader = TestClient(app), TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', reader.get("/login").text).group(1)
    reader.post("/login", data={"login": "reader", "password": PASSWORD, "csrf_token": token})
    items = anonymous.get(DAY, params={"format": "json"}).json()["items"]
    for item in items[:2]:
        services.community.votes.set_vote(user, item["id"], True)
    paper = items[0]["url"]
    view_cache = app.state.view_cache
    times: dict[str, list[float]] = {}

    def timed(name: str, client: TestClient, path: str) -> None:
        started = time.perf_counter()
        answer = client.get(path)
        times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200

    for path in (DAY, paper):  # warm
        anonymous.get(path)
        reader.get(path)
    for _ in range(rounds):
        for label, path in (("day page", DAY), ("paper page", paper)):
            timed(f"{label}: anonymous (page cache hit)", anonymous, path)
            app.state.view_cache = view_cache
            timed(f"{label}: logged in, view reused", reader, path)
            app.state.view_cache = None
            timed(f"{label}: logged in, loaded each time", reader, path)
    app.state.view_cache = view_cache
    services.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"{'database':<11}{'request':<46}{'p50 ms':>8}{'p90 ms':>8}")
    for database in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix="logged-in-views-"))
        pg = None
        try:
            if database == "sqlite":
                url = f"sqlite:///{work / 'bench.db'}"
            else:
                import pgserver

                pg = pgserver.get_server(work / "pg", cleanup_mode="stop")
                url = pg.get_uri()
            for name, values in measure(url, work, args.rounds).items():
                p90 = statistics.quantiles(values, n=10)[8]
                print(f"{database:<11}{name:<46}{statistics.median(values):>8.1f}{p90:>8.1f}")
        finally:
            if pg is not None:
                pg.cleanup()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
