"""The `dailypapers` command, run in-process through Click's runner on real files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dailypapers.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_import_then_db_current(tmp_path: Path, shared_data: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    fixture = shared_data / "hf_daily_papers" / "api_fixtures" / "daily_papers_2026-08-21.json"
    result = runner.invoke(cli, [*base, "import", "hf-daily", "--json", str(fixture)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary[0]["inserted"] == 17
    assert summary[0]["skipped"] == 0
    # The import summary keeps its shape (the counts are an ingest run's RunCounts).
    assert list(summary[0]) == [
        "path",
        "kind",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "skipped",
        "entries_added",
        "retries",
        "bulk",
        "skip_reasons",
        "errors",
    ]
    assert (summary[0]["path"], summary[0]["kind"], summary[0]["read"]) == (
        str(fixture),
        "hf-daily",
        17,
    )
    current = runner.invoke(cli, [*base, "db", "current"])
    assert current.exit_code == 0
    assert current.output.strip() != ""
    assert "empty" not in current.output


def test_bad_database_url_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--database-url", "mysql://x", "db", "upgrade"])
    assert result.exit_code == 2
    assert "database_url must start with" in result.output


def test_settings_json_lists_every_setting(tmp_path: Path) -> None:
    from dailypapers.config import Settings

    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "settings", "--json"])
    assert result.exit_code == 0
    assert set(json.loads(result.output)) == set(Settings.model_fields)
