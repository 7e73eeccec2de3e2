"""SQLite as datasette runs it: one writer at a time, reads cut off by a time limit."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.errors import QueryTimeout
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.keyword_index import Fts5KeywordIndex
from dailypapers.storage.tables import papers
from tests.conftest import make_services
from tests.databases import sqlite_copy

NOW = datetime(2026, 8, 21, tzinfo=UTC)
SLOW_QUERY = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
    "SELECT count(*) FROM n"
)


def test_a_read_past_the_time_limit_is_stopped_with_a_clear_error(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'slow.db'}", time_limit_ms=50)
    with pytest.raises(QueryTimeout, match="sql_time_limit_ms"), db.read() as conn:
        conn.execute(sa.text(SLOW_QUERY)).scalar()
    with db.read() as conn:  # the connection is usable again afterwards
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    db.dispose()


def test_writes_from_many_threads_all_land(tmp_path: Path) -> None:
    services = make_services(tmp_path, sqlite_copy(tmp_path / "threads.db"))
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for batch in range(10):
                records = [
                    SourceRecord(
                        Paper(f"2608.{worker:02d}{batch:02d}{i}", f"t{worker}", "a"),
                        [DailyEntry(f"2608.{worker:02d}{batch:02d}{i}", date(2026, 8, 20), "hf")],
                    )
                    for i in range(10)
                ]
                services.papers.upsert(records, now=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert services.papers.count() == 8 * 10 * 10
    services.close()


def test_titles_read_by_a_slow_reader_are_not_cut_off_by_the_time_limit(tmp_path: Path) -> None:
    """The spelling vocabulary reads every title and counts its words as it goes; on a busy
    machine that took longer than `sql_time_limit_ms`, and when the titles came from one
    streamed statement the search that built it was cut off with a 503 (bench/load_deployed.py,
    SQLite mix). Here the reader pauses past the limit between titles."""
    db = Database(sqlite_copy(tmp_path / "titles.db"), time_limit_ms=500)
    now = datetime(2026, 8, 21, tzinfo=UTC)
    rows = [
        {
            "arxiv_id": f"2608.{i:05d}",
            "title": f"Paper number {i}",
            "abstract": "",
            "authors": [],
            "categories": [],
            "created_at": now,
            "modified_at": now,
        }
        for i in range(4_000)
    ]
    with db.write() as conn:
        conn.execute(papers.insert(), rows)
    index = Fts5KeywordIndex(db, DataVersionStore(db))
    seen = []
    for title in index.titles(batch=1000):
        seen.append(title)
        if len(seen) in (1, 1001):  # a reader held up by other work, past the limit
            time.sleep(0.6)
    assert len(seen) == 4_000
    assert seen[:2] == ["Paper number 0", "Paper number 1"]
    db.dispose()


def test_a_read_that_waits_is_not_cut_off_only_its_own_work_counts(tmp_path: Path) -> None:
    """The limit counts the statement's CPU time, not the wall clock: on a busy machine a
    statement waits for a core (and at every progress check for the GIL), and ordinary
    searches were cut off with a 503. Here the statement is read in two parts with a wait
    past the limit between them, as a thread that lost its core would see it."""
    db = Database(f"sqlite:///{tmp_path / 'waits.db'}", time_limit_ms=300)
    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
    with db.read() as conn:
        rows = conn.execute(sa.text(numbers + "SELECT i FROM n"))
        first = rows.fetchmany(10)
        time.sleep(0.5)
        rest = rows.fetchall()
    assert len(first) + len(rest) == 20_000
    db.dispose()
