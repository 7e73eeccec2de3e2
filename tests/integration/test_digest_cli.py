"""`dailypapers digest send --dry-run` and `digest status`, in-process through Click."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from dailypapers.cli import cli
from tests.conftest import make_services
from tests.databases import sqlite_copy
from tests.digest_support import featured, seed, subscribers
from tests.mail_support import SmtpServer, smtp  # noqa: F401


def test_dry_run_sends_and_records_nothing_then_send_does(
    tmp_path: Path,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    url = sqlite_copy(tmp_path / "cli.db")
    services = make_services(tmp_path, url)
    seed(services, [featured(f"2608.0000{n}", date(2026, 8, 20), n) for n in (1, 2)])
    subscribers(services, 3)
    services.close()
    runner = CliRunner(env=smtp.env(database_url=url, data_dir=str(tmp_path)))
    base = ["digest", "send", "--period", "2026-08-20", "--json"]

    dry = runner.invoke(cli, [*base, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    preview = json.loads(dry.stdout)
    assert (preview["digests"], preview["papers"], preview["by_state"]) == (3, 6, {"new": 3})
    assert smtp.inbox.messages == []

    sent = runner.invoke(cli, base)
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["sent"] == 3
    assert len(smtp.inbox.wait_for(3)) == 3

    status = runner.invoke(cli, ["digest", "status", "--json"])
    assert json.loads(status.stdout)["deliveries"] == {"sent": 3}
    assert json.loads(runner.invoke(cli, [*base, "--dry-run"]).stdout)["by_state"] == {"sent": 3}
    bad = runner.invoke(cli, ["digest", "send", "--period", "2026-13-40"])
    assert bad.exit_code == 2 and "not a date" in bad.output
