"""Real processes: a SIGKILLed harvest resumes to the same database; SIGTERM stops a worker.

Both run `python -m dailypapers` as a subprocess, configured only through DAILYPAPERS_*
environment variables, against the recorded server running in this test process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.storage.database import Database
from dailypapers.storage.ingest_runs import IngestRunStore
from dailypapers.storage.ingest_tables import ingest_locks, ingest_runs
from tests.clock_main import LAUNCHER, clock_env
from tests.conftest import ROOT, make_services
from tests.databases import sqlite_copy
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer, json_reply
from tests.ingest.support import HF_PATH, OAI_PATH, oai_token, script_oai, snapshot

WINDOW = ["--since", "2025-03-18", "--until", "2025-03-19"]


def _env(server: RecordedServer, url: str, tmp_path: Path, **extra: object) -> dict[str, str]:
    settings = upstream_settings(server, **extra)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update({f"DAILYPAPERS_{k.upper()}": str(v) for k, v in settings.items()})
    env.update({"DAILYPAPERS_DATABASE_URL": url, "DAILYPAPERS_DATA_DIR": str(tmp_path)})
    return env


def _poll(engine: sa.Engine, query, until, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with engine.connect() as conn:
                value = conn.execute(query).first()
            if until(value):
                return value
        except sa.exc.OperationalError:
            pass  # the schema is not there yet
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {query}")


def test_a_killed_harvest_resumes_and_ends_as_an_uninterrupted_one(
    tmp_path: Path, server: RecordedServer
) -> None:
    script_oai(server, delay_s=0.2)  # 6 slow pages
    url = sqlite_copy(tmp_path / "killed.db")
    env = _env(server, url, tmp_path, ingest_lease_s=3)
    harvest = ["ingest", "oai", *WINDOW, "--json"]
    command = [sys.executable, "-m", "dailypapers", *harvest]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    engine = sa.create_engine(url)
    progress = sa.select(ingest_runs.c.pages, ingest_runs.c.cursor).order_by(ingest_runs.c.id)
    _poll(engine, progress, lambda row: row is not None and row.pages >= 2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with engine.connect() as conn:
        killed = conn.execute(sa.select(ingest_runs)).one()
        landed = conn.execute(sa.text("SELECT count(*) FROM papers")).scalar()
    assert killed.status == "running" and 2 <= killed.pages < 6, "not killed mid-run"
    assert killed.cursor == oai_token(killed.pages + 1)
    assert landed in (3 * killed.pages, 3 * killed.pages + 3), "a page was half-written"

    # While the dead process's lease lasts (its last heartbeat + 3 s), nobody else may run oai.
    store = IngestRunStore(Database(url))
    assert not store.claim("oai", "someone-else", now=datetime.now(UTC), lease_s=3)
    lease_end = store.lease("oai").expires_at
    store.db.dispose()

    # The rerun's clock starts just past that lease (tests/clock_main.py): no waiting for it.
    before = len(server.requests(OAI_PATH))
    rerun = subprocess.run(
        [*LAUNCHER, *harvest],
        env={**env, **clock_env(lease_end + timedelta(seconds=0.2))},
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    resumed = json.loads(rerun.stdout)
    assert (resumed["status"], resumed["resumed_from"]) == ("succeeded", killed.id)
    first_asked = server.requests(OAI_PATH)[before].query
    assert first_asked.get("resumptionToken") == killed.cursor  # not from the start
    with engine.connect() as conn:
        first = conn.execute(sa.select(ingest_runs).where(ingest_runs.c.id == killed.id)).one()
        lock_owner = conn.execute(sa.select(ingest_locks.c.owner)).scalar()
    assert first.status == "failed" and first.error.startswith("interrupted")
    assert lock_owner is None
    engine.dispose()
    services = make_services(tmp_path, url)

    script_oai(server)  # the same pages, now fast, for an uninterrupted reference run
    reference = make_services(tmp_path, sqlite_copy(tmp_path / "reference.db"),
                              **upstream_settings(server))  # fmt: skip
    run = reference.ingest.run("oai", since=datetime(2025, 3, 18).date(),
                               until=datetime(2025, 3, 19).date())  # fmt: skip
    assert run.counts.inserted == 18
    assert snapshot(services) == snapshot(reference)
    assert len(snapshot(services)["papers"]) == 18
    services.close()
    reference.close()


def test_sigterm_stops_a_worker_cleanly_mid_run_and_frees_the_source(
    tmp_path: Path, server: RecordedServer
) -> None:
    server.script(HF_PATH, [json_reply(b"[]", delay_s=0.4)])  # every day: slow and empty
    url = sqlite_copy(tmp_path / "worker.db")
    env = _env(
        server,
        url,
        tmp_path,
        ingest_sources="hf",
        ingest_schedule_utc="00:00",
        ingest_lookback_days=30,
        scheduler_tick_s=0.2,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "dailypapers", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = sa.create_engine(url)
    _poll(engine, sa.select(ingest_runs.c.pages), lambda row: row is not None and row.pages >= 2)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "worker: stopped" in err
    with engine.connect() as conn:
        run = conn.execute(sa.select(ingest_runs)).one()
        lock_owner = conn.execute(sa.select(ingest_locks.c.owner)).scalar()
    engine.dispose()
    assert (run.status, run.triggered_by) == ("failed", "schedule")
    assert run.error.startswith("stopped before finishing")
    assert run.pages < 31 and run.cursor is not None  # the next run resumes from here
    assert lock_owner is None
