"""Exactly once, with real processes: `dailypapers digest send` killed with SIGKILL at random
points and rerun, and two senders at once on PostgreSQL. Counted at a real SMTP server."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from dailypapers.services.bootstrap import Services
from tests.conftest import ROOT, make_services
from tests.databases import sqlite_copy
from tests.digest_support import featured, seed, subscribers
from tests.mail_support import SmtpServer, smtp  # noqa: F401

PERIOD = "2026-08-21"
# Where the kills land: fixed, so a failure can be rerun as it was; DIGEST_KILL_SEED=N tries
# other points. Every assertion message names the seed.
DEFAULT_KILL_SEED = 20260821
SEND = [sys.executable, "-m", "dailypapers", "digest", "send", "--period", PERIOD]


def _env(smtp: SmtpServer, database_url: str, data_dir: Path, **settings: object) -> dict:  # noqa: F811
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(smtp.env(**settings))
    env.update(
        DAILYPAPERS_DATABASE_URL=database_url,
        DAILYPAPERS_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _prepare(tmp_path: Path, database_url: str, count: int) -> tuple[Services, list[str]]:
    services = make_services(tmp_path, database_url)
    seed(services, [featured(f"2608.0000{n}", date(2026, 8, 20), n) for n in range(1, 4)])
    return services, subscribers(services, count)


def _assert_exactly_one_each(
    smtp: SmtpServer,  # noqa: F811
    emails: list[str],
    context: str = "",
) -> None:
    per_recipient = Counter(r for m in smtp.inbox.messages for r in m.rcpt_tos)
    assert {e: per_recipient[e] for e in emails} == dict.fromkeys(emails, 1), context
    ids = Counter(m.message["Message-ID"] for m in smtp.inbox.messages)
    assert len(ids) == len(emails) and set(ids.values()) == {1}, context


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return sqlite_copy(tmp_path / "digests.db")


def test_killing_the_sender_at_random_points_never_duplicates_or_loses_a_digest(
    tmp_path: Path,
    sqlite_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    services, emails = _prepare(tmp_path, sqlite_url, 30)
    services.close()
    env = _env(
        smtp,
        sqlite_url,
        tmp_path,
        smtp_rate_limit_per_s=10,  # 100 ms a message: kills land mid-run
        digest_lease_s=1.0,
        digest_claim_batch=3,
    )
    seed_value = int(os.environ.get("DIGEST_KILL_SEED", DEFAULT_KILL_SEED))
    print(f"DIGEST_KILL_SEED={seed_value}")  # pytest shows it with any failure
    rng = random.Random(seed_value)
    kills = []
    for attempt in range(10):
        before = len(smtp.inbox.messages)
        process = subprocess.Popen(
            [*SEND, "--no-migrate"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if attempt in (3, 7):  # early: start-up, migrations check, planning, first claim
            time.sleep(rng.uniform(0.05, 1.0))
        else:  # mid-send: after this run's first message, within the next message or two
            deadline = time.monotonic() + 15
            while (
                len(smtp.inbox.messages) == before
                and process.poll() is None
                and time.monotonic() < deadline
            ):
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.12))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills.append((attempt, len(smtp.inbox.messages) - before))

    final = subprocess.run(
        [*SEND, "--json", "--no-migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    context = f"DIGEST_KILL_SEED={seed_value}, kills (attempt, messages sent) {kills}"
    assert final.returncode == 0, f"{context}: {final.stderr}"
    report = json.loads(final.stdout)

    context += f", final {report}"
    assert report["sent"] > 0, context  # the kills all landed while work was left
    assert len(smtp.inbox.messages) == 30, context
    _assert_exactly_one_each(smtp, emails, context)
    services = make_services(tmp_path, sqlite_url)
    try:
        states = services.digests.status(PERIOD)["deliveries"]
    finally:
        services.close()
    # "uncertain" would mean a kill landed between recording "sending" and the server's
    # reply: the message went out and was (rightly) not sent again.
    assert set(states) <= {"sent", "uncertain"}, (states, context)
    assert sum(states.values()) == 30
    print(context)  # shown with -s: where the kills landed


@pytest.mark.postgres
def test_two_senders_at_once_on_postgresql_send_each_digest_once(
    tmp_path: Path,
    pg_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    services, emails = _prepare(tmp_path, pg_url, 60)
    services.close()
    env = _env(smtp, pg_url, tmp_path, smtp_rate_limit_per_s=30, digest_claim_batch=2)
    senders = [
        subprocess.Popen(
            [*SEND, "--json", "--no-migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    reports = []
    for sender in senders:
        out, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err
        reports.append(json.loads(out))

    _assert_exactly_one_each(smtp, emails)
    assert sum(r["sent"] for r in reports) == 60
    assert all(r["sent"] > 0 for r in reports), json.dumps(reports)  # really side by side
