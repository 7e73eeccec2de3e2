"""One run per source across processes (leases), and the daily schedule with a fixed clock."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.config import Settings
from dailypapers.domain.ingest import parse_daily_time
from dailypapers.errors import Conflict
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.services.scheduler import Scheduler
from dailypapers.storage.database import Database
from dailypapers.storage.ingest_runs import IngestRunStore
from dailypapers.storage.ingest_tables import ingest_locks
from tests.databases import sqlite_copy
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer
from tests.ingest.support import script_arxiv, script_hf, totals

NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)


def test_of_simultaneous_claims_exactly_one_wins(ingest_services: Services) -> None:
    """Each thread has its own Database (engine, pool, SQLite writer lock), like a process."""
    url = ingest_services.db.url
    contenders = 4
    stores = [IngestRunStore(Database(url)) for _ in range(contenders)]
    for round_number in range(5):
        barrier = threading.Barrier(contenders)
        wins: list[int] = []

        def claim(n: int, round_number: int = round_number, barrier=barrier, wins=wins) -> None:
            barrier.wait()
            if stores[n].claim("oai", f"owner-{n}", now=NOW, lease_s=60):
                wins.append(n)

        threads = [threading.Thread(target=claim, args=(n,)) for n in range(contenders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(wins) == 1, f"round {round_number}: {wins} all claimed the source"
        winner = wins[0]
        assert stores[winner].lease("oai").owner == f"owner-{winner}"
        assert all(not s.renew("oai", f"owner-{n}", now=NOW, lease_s=60)
                   for n, s in enumerate(stores) if n != winner)  # fmt: skip
        assert stores[winner].release("oai", f"owner-{winner}", now=NOW)
    for store in stores:
        store.db.dispose()


def test_a_crashed_holders_lease_expires(ingest_services: Services) -> None:
    runs = ingest_services.ingest.runs
    assert runs.claim("hf", "dead-process", now=NOW, lease_s=60)
    assert not runs.claim("hf", "next", now=NOW + timedelta(seconds=59), lease_s=60)
    assert runs.claim("hf", "next", now=NOW + timedelta(seconds=61), lease_s=60)
    assert not runs.renew("hf", "dead-process", now=NOW, lease_s=60)
    assert runs.claim("arxiv", "other-source", now=NOW, lease_s=60)  # sources are independent


def test_a_run_while_the_source_is_held_is_refused_with_who_holds_it(
    sqlite_ingest: Services,
) -> None:
    ingest_services = sqlite_ingest
    ingest_services.ingest.runs.claim("arxiv", "host-b:4242:abcd", now=NOW, lease_s=300)
    with pytest.raises(Conflict, match="already running \\(held by host-b:4242:abcd"):
        ingest_services.ingest.run("arxiv", since=date(2025, 3, 17), until=date(2025, 3, 17))
    assert ingest_services.ingest.status() == []


def test_a_run_whose_lease_is_taken_over_stops_writing(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    script_arxiv(server)

    def steal(done: int, _total: int | None, _label: str) -> None:
        if done == 5:  # after page 1 is written
            with sqlite_ingest.db.write() as conn:
                conn.execute(ingest_locks.update().values(owner="another-process"))

    day = date(2025, 3, 17)
    run = sqlite_ingest.ingest.run("arxiv", since=day, until=day, progress=steal)
    assert run.status == "failed" and "another process took over" in run.error
    assert run.counts.pages == 1 and run.cursor == "5"
    assert totals(sqlite_ingest)[0] == 5  # page 2 was fenced off: nothing of it written


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _scheduled_services(
    tmp_path: Path, database_url: str, server: RecordedServer, clock: FakeClock
) -> Services:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        **upstream_settings(server, ingest_sources="hf,arxiv", ingest_schedule_utc="06:00"),
    )
    services = bootstrap(settings, clock=clock)
    services.upgrade_schema()
    return services


def test_the_daily_schedule_runs_each_source_once_after_its_time(
    tmp_path: Path, database_url: str, server: RecordedServer, shared_data: Path
) -> None:
    script_arxiv(server)
    script_hf(server, shared_data)
    clock = FakeClock(datetime(2025, 7, 24, 5, 59, tzinfo=UTC))
    services = _scheduled_services(tmp_path, database_url, server, clock)
    scheduler = services.scheduler
    assert [job.name for job in scheduler.jobs] == [
        "ingest:hf",
        "ingest:arxiv",
        "digests",
        "index",
        "user_models",
    ]

    def ingest_ticks() -> list[
        str
    ]:  # digests, index and user_models run on every tick; these are the daily jobs
        return [name for name in scheduler.tick() if name.startswith("ingest:")]

    assert ingest_ticks() == []  # 05:59: not yet
    assert services.ingest.status() == []

    clock.now = datetime(2025, 7, 24, 6, 0, 30, tzinfo=UTC)
    assert ingest_ticks() == ["ingest:hf", "ingest:arxiv"]
    runs = services.ingest.status()
    assert sorted((r.source, r.trigger, r.status) for r in runs) == [
        ("arxiv", "schedule", "succeeded"),
        ("hf", "schedule", "succeeded"),
    ]
    hf_run = next(r for r in runs if r.source == "hf")
    assert (hf_run.since, hf_run.until) == (date(2025, 7, 22), date(2025, 7, 24))  # lookback 2
    assert hf_run.counts.inserted == 7

    clock.now = datetime(2025, 7, 24, 23, 0, tzinfo=UTC)
    assert ingest_ticks() == []  # the same day again: nothing
    assert len(services.ingest.status()) == 2

    clock.now = datetime(2025, 7, 25, 6, 5, tzinfo=UTC)
    assert ingest_ticks() == ["ingest:hf", "ingest:arxiv"]
    next_hf = services.ingest.status(source="hf")[0]
    assert next_hf.since == date(2025, 7, 24)  # where the last successful run ended
    services.close()


def test_a_second_process_ticking_the_same_slot_does_not_run_again(
    tmp_path: Path, server: RecordedServer, shared_data: Path
) -> None:
    script_arxiv(server)
    script_hf(server, shared_data)
    url = sqlite_copy(tmp_path / "two.db")
    clock = FakeClock(datetime(2025, 7, 24, 7, 0, tzinfo=UTC))
    first = _scheduled_services(tmp_path, url, server, clock)
    second = _scheduled_services(tmp_path, url, server, clock)
    first.scheduler.tick()
    assert [job.name for job in second.scheduler.due() if job.name.startswith("ingest:")] == []
    assert second.ingest.run_scheduled("hf", parse_daily_time("06:00")) is None
    assert len(first.ingest.status()) == 2
    first.close()
    second.close()


def test_a_failing_job_is_logged_and_the_others_still_run() -> None:
    clock = FakeClock(NOW)
    scheduler = Scheduler(clock, tick_s=0.01)
    ran: list[str] = []

    def boom(_stop: threading.Event) -> None:
        raise RuntimeError("boom")

    scheduler.register("boom", lambda now: now, boom)
    scheduler.register("later", lambda now: now + timedelta(hours=1), lambda _s: ran.append("x"))
    scheduler.register("ok", lambda now: now, lambda _s: ran.append("ok"))
    assert scheduler.tick() == ["boom", "ok"]
    assert ran == ["ok"]
    with pytest.raises(ValueError, match="already registered"):
        scheduler.register("ok", lambda now: now, lambda _s: None)


def test_start_and_stop_run_the_loop_in_a_thread() -> None:
    clock = FakeClock(NOW)
    scheduler = Scheduler(clock, tick_s=0.01)
    ticked = threading.Event()
    seen_stop: list[threading.Event] = []

    def job(stop: threading.Event) -> None:
        seen_stop.append(stop)
        ticked.set()

    scheduler.register("job", lambda now: now, job)
    scheduler.start()
    assert ticked.wait(5)
    scheduler.stop(timeout=5)
    assert not scheduler.running and seen_stop[0].is_set()


def test_lock_rows_are_one_per_source(sqlite_ingest: Services) -> None:
    runs = sqlite_ingest.ingest.runs
    for n in range(3):
        runs.claim("hf", f"o{n}", now=NOW + timedelta(hours=n), lease_s=60)
    with sqlite_ingest.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ingest_locks)).scalar() == 1
