"""`dailypapers users create|promote|disable`, in-process on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap
from tests.community.conftest import CHEAP_ARGON2, PASSWORD

ENV = {f"DAILYPAPERS_{k.upper()}": str(v) for k, v in CHEAP_ARGON2.items()}


def test_users_commands_create_an_admin_promote_demote_and_disable(tmp_path: Path) -> None:
    runner = CliRunner(env=ENV)
    base = ["--data-dir", str(tmp_path)]

    created = runner.invoke(
        cli,
        [*base, "users", "create", "Root", "--email", "root@example.org", "--admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",  # asked twice, never echoed
    )
    assert created.exit_code == 0, created.output
    assert "created admin @Root" in created.output and PASSWORD not in created.output
    runner.invoke(
        cli, [*base, "users", "create", "bob", "--email", "b@example.org", "--password", PASSWORD]
    )
    assert "is an admin" in runner.invoke(cli, [*base, "users", "promote", "bob"]).output
    demoted = runner.invoke(cli, [*base, "users", "promote", "bob", "--demote"])
    assert "no longer an admin" in demoted.output
    assert "disabled" in runner.invoke(cli, [*base, "users", "disable", "bob"]).output

    services = bootstrap(Settings(data_dir=tmp_path, **CHEAP_ARGON2))
    try:
        root = services.community.accounts.user("root")
        bob = services.community.accounts.user("bob")
        assert root.is_admin and not bob.is_admin and bob.disabled
        services.community.auth.login("Root", PASSWORD, client="cli-test")
    finally:
        services.close()

    missing = runner.invoke(cli, [*base, "users", "disable", "nobody"])
    assert missing.exit_code == 2 and "no user 'nobody'" in missing.output
    taken = runner.invoke(
        cli, [*base, "users", "create", "root", "--email", "x@example.org", "--password", PASSWORD]
    )
    assert taken.exit_code == 2 and "taken" in taken.output
