"""Two `serve` and two `worker` processes on one PostgreSQL database for a scheduled day.

Four real processes (`python -m tests.clock_main serve|worker`: the shipped
command with a shared simulated clock, 720 simulated seconds per wall second, from 05:00 to
09:00 UTC on 2026-08-21) all run the scheduler against the recorded upstream server and a real
SMTP server. Each ingest source (scheduled 06:00) must run exactly once and each subscriber's
daily digest (08:00) must arrive exactly once per period, however the four processes interleave.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.storage.digest_tables import digest_deliveries
from dailypapers.storage.ingest_tables import ingest_runs
from tests.clock_main import LAUNCHER, clock_env
from tests.conftest import make_services
from tests.digest_support import featured, seed, subscribers
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer
from tests.ingest.support import API_PATH, HF_PATH, script_arxiv, script_hf
from tests.live_server import free_port
from tests.mail_support import SmtpServer

pytestmark = pytest.mark.postgres

START = datetime(2026, 8, 21, 5, 0, tzinfo=UTC)
SPEED = 720.0  # one simulated hour every 5 s
END = START + timedelta(hours=4)  # 09:00: both schedules are behind us
READERS = 3


def _env(settings: dict[str, object], url: str, tmp_path: Path, wall0: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update({f"DAILYPAPERS_{k.upper()}": str(v) for k, v in settings.items()})
    env.update(
        {
            "DAILYPAPERS_DATABASE_URL": url,
            "DAILYPAPERS_DATA_DIR": str(tmp_path),
            **clock_env(START, SPEED, wall0),
        }
    )
    return env


def test_two_serves_and_two_workers_run_each_source_and_send_each_digest_once(
    tmp_path: Path, pg_url: str, server: RecordedServer, smtp: SmtpServer, shared_data: Path
) -> None:
    script_hf(server, shared_data)
    script_arxiv(server)
    settings = {
        **upstream_settings(server),
        **smtp.settings(),
        "ingest_sources": "hf,arxiv",
        "ingest_schedule_utc": "06:00",
        "ingest_lookback_days": 1,
        # Leases run on the simulated clock: an hour of it is 5 s here.
        "ingest_lease_s": 3600,
        "job_lease_s": 36000,
        "scheduler_tick_s": 0.2,
        "serve_runs_scheduler": True,
        "embedding_threads": 1,
        "page_cache_enabled": False,
    }
    services = make_services(tmp_path, pg_url)
    try:
        seed(services, [featured(f"2608.{n:05d}", date(2026, 8, 20), 10 - n) for n in range(5)])
        readers = subscribers(services, READERS)
    finally:
        services.close()
    # The model file is built once here, before four processes load it.
    MiniLMEmbedder(Settings(data_dir=tmp_path).model_cache_dir, threads=1)

    wall0 = time.time()
    env = _env(settings, pg_url, tmp_path, wall0)
    commands = [
        [*LAUNCHER, "serve", "--port", str(free_port()), "--no-migrate"],
        [*LAUNCHER, "serve", "--port", str(free_port()), "--no-migrate"],
        [*LAUNCHER, "worker", "--no-migrate"],
        [*LAUNCHER, "worker", "--no-migrate"],
    ]
    procs = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for c in commands
    ]
    try:
        time.sleep(max(0.0, wall0 + (END - START).total_seconds() / SPEED - time.time()))
        smtp.inbox.wait_for(2 * READERS, timeout=20)
        time.sleep(2)  # room for a second, wrong, run or send to show itself
        for proc in procs:
            assert proc.poll() is None, proc.communicate()[0]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        outputs = [proc.communicate(timeout=30)[0] for proc in procs]

    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        runs = conn.execute(
            sa.select(ingest_runs.c.source, ingest_runs.c.status, ingest_runs.c.triggered_by)
        ).all()
        sent = conn.execute(
            sa.select(
                digest_deliveries.c.subscription_id,
                digest_deliveries.c.period,
                digest_deliveries.c.state,
            )
        ).all()
    engine.dispose()
    assert sorted(runs) == [("arxiv", "succeeded", "schedule"), ("hf", "succeeded", "schedule")], (
        outputs
    )
    # 05:00 finds yesterday's 08:00 digest due (the subscribers started long ago); 08:00
    # brings today's. Each (reader, period) once in the database and once at the SMTP server.
    assert sorted(period for _, period, _ in sent) == ["2026-08-20"] * 3 + ["2026-08-21"] * 3
    assert {state for *_, state in sent} == {"sent"}
    received = [(r.rcpt_tos[0], r.message["Message-ID"]) for r in smtp.inbox.messages]
    assert len(received) == len(set(received)) == 2 * READERS
    assert sorted(address for address, _ in received) == sorted(readers * 2)
    assert len(server.requests(API_PATH)) == 3  # the three arXiv pages, asked once
    assert server.requests(HF_PATH)  # HF was asked (once per day of the lookback)
