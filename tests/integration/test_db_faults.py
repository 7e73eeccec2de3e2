"""Database faults: a PostgreSQL server stopped and started under the app and under an import,
and a SQLite write lock held past the busy timeout.

The PostgreSQL tests run their own private pgserver (not the session's shared one, which other
tests use), stopped with `pg_ctl stop -m fast` and started again mid-test.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from dailypapers.storage.community_tables import votes
from tests.conftest import make_services
from tests.databases import PostgresTemplates, sqlite_copy
from tests.live_server import LiveServer, free_port


class RestartablePostgres:
    """A private PostgreSQL server this test may stop and start."""

    def __init__(self) -> None:
        import pgserver

        self.data_dir = Path(tempfile.mkdtemp(prefix="dailypapers-pg-fault-"))
        self.server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        self.admin_url = self.server.get_uri()
        self.work_dir = Path(tempfile.mkdtemp(prefix="dailypapers-pg-fault-work-"))
        self.templates = PostgresTemplates(self.admin_url, self.work_dir)

    def database(self, name: str) -> str:
        """A new database at the schema's head (a copy of this server's migrated template)."""
        return self.templates.create(name)

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        with contextlib.suppress(sa.exc.SQLAlchemyError):  # the server may be stopped
            self.templates.close()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.work_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def restartable_pg() -> Iterator[RestartablePostgres]:
    pg = RestartablePostgres()
    try:
        yield pg
    finally:
        pg.close()


def _wait_until(condition: Callable[[], bool], what: str, seen: object, timeout_s=60) -> None:
    """Poll `condition` until it holds; fail after `timeout_s` saying what never came."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout_s} s: {seen}")
        time.sleep(0.02)


def _hf_rows(shared_data: Path, target: Path, n: int) -> Path:
    source = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        target.write_text("".join(islice(handle, n)), encoding="utf-8")
    return target


@pytest.mark.postgres
def test_requests_get_503_with_retry_after_while_postgres_is_down_and_recover_after(
    restartable_pg: RestartablePostgres, tmp_path: Path
) -> None:
    url = restartable_pg.database("served")
    services = make_services(tmp_path, url, db_unavailable_retry_after_s=7)
    try:
        with (
            LiveServer(create_app(services), free_port()) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            assert client.get("/readyz").json() == {"status": "ready", "database": "ok"}
            assert client.get("/api/daily_papers").status_code == 200

            restartable_pg.stop()
            try:
                api = client.get("/api/daily_papers")
                page = client.get("/")
                ready = client.get("/readyz")
                alive = client.get("/healthz")
            finally:
                restartable_pg.start()

            assert (api.status_code, api.headers["retry-after"]) == (503, "7")
            assert api.json()["code"] == "database_unavailable"  # HF's error shape on its routes
            assert (page.status_code, page.headers["retry-after"]) == (503, "7")
            assert "text/html" in page.headers["content-type"]
            assert (ready.status_code, ready.headers["retry-after"]) == (503, "7")
            assert ready.json()["status"] == "unavailable"
            assert ready.json()["database"]  # says why: the driver's reason
            assert (alive.status_code, alive.json()) == (200, {"status": "ok"})

            # Back by itself: the pool replaces the connections the restart killed.
            assert client.get("/readyz").status_code == 200
            assert client.get("/api/daily_papers").status_code == 200
    finally:
        services.close()


@pytest.mark.postgres
def test_clients_reading_and_voting_through_a_restart_see_only_503s_and_lose_no_vote(
    restartable_pg: RestartablePostgres, tmp_path: Path, shared_data: Path
) -> None:
    url = restartable_pg.database("voting")
    services = make_services(tmp_path, url, db_unavailable_retry_after_s=1)
    rows = _hf_rows(shared_data, tmp_path / "rows.jsonl", 200)
    services.imports.import_file(rows, "hf-daily")
    ids = [json.loads(line)["arxiv_id"] for line in rows.read_text().splitlines()]
    voters = []
    for n in range(6):
        user = services.community.accounts.create_user(
            f"voter{n}", f"voter{n}@example.org", "correct horse battery", verified=True
        )
        voters.append((user.id, services.community.auth.create_api_token(user, "load")[0]))
    statuses: Counter[int] = Counter()
    acknowledged: set[tuple[int, str]] = set()
    stop = threading.Event()

    def client(user_id: int, token: str, base: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=30) as http:
            for arxiv_id in itertools.cycle(ids):
                if stop.is_set():
                    return
                vote = http.post(f"/api/papers/{arxiv_id}/upvote", headers=headers)
                read = http.get("/api/daily_papers")
                statuses.update([vote.status_code, read.status_code])
                if vote.status_code == 200:
                    acknowledged.add((user_id, arxiv_id))

    try:
        with LiveServer(create_app(services), free_port()) as base:
            threads = [
                threading.Thread(target=client, args=(user_id, token, base))
                for user_id, token in voters
            ]
            for thread in threads:
                thread.start()
            # Each phase lasts until the clients have shown it, not for a fixed time.
            rounds = 2 * len(voters)  # a vote and a read per client
            _wait_until(lambda: statuses[200] >= rounds, "votes and reads served", statuses)
            restartable_pg.stop()
            _wait_until(lambda: statuses[503] >= rounds, "503s while it is down", statuses)
            restartable_pg.start()
            served = statuses[200]
            _wait_until(lambda: statuses[200] >= served + rounds, "served again", statuses)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            after = httpx.get(f"{base}/readyz", timeout=10)
        assert set(statuses) == {200, 503}, statuses  # 503s during the outage, never a 500
        assert after.status_code == 200  # it recovered by itself
        with services.db.read() as conn:
            stored = set(conn.execute(sa.select(votes.c.user_id, votes.c.arxiv_id)).all())
        assert acknowledged <= stored  # every vote the client was told about is there
    finally:
        services.close()


@pytest.mark.postgres
def test_import_retries_its_batch_across_a_postgres_restart_and_finishes(
    restartable_pg: RestartablePostgres, tmp_path: Path, shared_data: Path
) -> None:
    url = restartable_pg.database("imported")
    services = make_services(
        tmp_path, url, import_batch_size=100, db_retry_delay_s=0.5, db_retry_max_delay_s=1
    )
    rows = _hf_rows(shared_data, tmp_path / "rows.jsonl", 400)
    restarted = threading.Event()

    def stop_after_first_batch(done: int, total: int) -> None:
        if restarted.is_set() or done >= total:
            return
        restarted.set()
        restartable_pg.stop()  # the next batch's write finds no server
        threading.Timer(2.0, restartable_pg.start).start()

    try:
        report = services.ingest.import_file(rows, "hf-daily", progress=stop_after_first_batch)
        assert restarted.is_set()
        assert report.retries >= 1  # it said so
        assert (report.fetched, report.skipped, report.inserted) == (400, 0, 400)
        assert services.papers.count() == 400
        assert services.ingest.status(limit=1)[0].status == "succeeded"
    finally:
        services.close()


def test_sqlite_import_waits_out_a_write_lock_held_past_the_busy_timeout(
    tmp_path: Path, shared_data: Path
) -> None:
    db_path = tmp_path / "locked.db"
    services = make_services(
        tmp_path,
        sqlite_copy(db_path),
        import_batch_size=100,
        sqlite_busy_timeout_ms=50,
        db_retry_delay_s=0.2,
        db_retry_max_delay_s=0.5,
    )
    rows = _hf_rows(shared_data, tmp_path / "rows.jsonl", 300)
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    locked = threading.Event()

    def lock_after_first_batch(done: int, total: int) -> None:
        if locked.is_set() or done >= total:
            return
        locked.set()
        other.execute("BEGIN IMMEDIATE")  # another process's long write transaction
        threading.Timer(1.5, lambda: other.execute("COMMIT")).start()

    try:
        report = services.imports.import_file(rows, "hf-daily", progress=lock_after_first_batch)
        assert locked.is_set()
        assert report.retries >= 1
        assert (report.inserted, services.papers.count()) == (300, 300)
    finally:
        other.close()
        services.close()


def test_sqlite_readyz_answers_200_when_the_database_answers(tmp_path: Path) -> None:
    services: Services = make_services(tmp_path, sqlite_copy(tmp_path / "ok.db"))
    try:
        with LiveServer(create_app(services), free_port()) as base:
            ready = httpx.get(f"{base}/readyz", timeout=10)
        assert (ready.status_code, ready.json()["status"]) == (200, "ready")
    finally:
        services.close()
