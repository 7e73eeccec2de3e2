"""`dailypapers ingest ...` in-process through Click's runner, configured by environment."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dailypapers.cli import cli
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer
from tests.ingest.support import script_arxiv, script_hf, script_oai


def _runner(server: RecordedServer, tmp_path: Path) -> CliRunner:
    env = {f"DAILYPAPERS_{k.upper()}": str(v) for k, v in upstream_settings(server).items()}
    env["DAILYPAPERS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return CliRunner(env=env)


def test_ingest_hf_prints_the_run_and_status_lists_it(
    tmp_path: Path, server: RecordedServer, shared_data: Path
) -> None:
    script_hf(server, shared_data)
    runner = _runner(server, tmp_path)
    window = ["--since", "2025-07-24", "--until", "2025-07-24"]
    result = runner.invoke(cli, ["ingest", "hf", *window, "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert (run["status"], run["source"], run["fetched"], run["inserted"]) == (
        "succeeded",
        "hf",
        7,
        7,
    )
    result = runner.invoke(cli, ["ingest", "status", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)["runs"]] == [run["id"]]
    result = runner.invoke(cli, ["ingest", "status"])
    assert result.exit_code == 0 and "succeeded" in result.output


def test_ingest_arxiv_takes_categories_and_prints_a_summary(
    tmp_path: Path, server: RecordedServer
) -> None:
    script_arxiv(server)
    runner = _runner(server, tmp_path)
    args = ["ingest", "arxiv", "--since", "2025-03-17", "--until", "2025-03-17"]
    result = runner.invoke(cli, [*args, "--categories", "cs.CL,cs.LG"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output and "inserted" in result.output
    query = server.requests("/api/query")[0].query["search_query"]
    assert query.startswith("(cat:cs.CL OR cat:cs.LG) AND submittedDate:")


def test_a_failed_run_exits_non_zero_and_says_why(tmp_path: Path, server: RecordedServer) -> None:
    runner = _runner(server, tmp_path)  # nothing scripted: every request is a 404
    result = runner.invoke(cli, ["ingest", "oai", "--since", "2025-03-18", "--until", "2025-03-18"])
    assert result.exit_code == 1
    assert "failed" in result.output and "HTTP 404 (not retried)" in result.output


def test_bad_dates_are_usage_errors(tmp_path: Path, server: RecordedServer) -> None:
    result = _runner(server, tmp_path).invoke(cli, ["ingest", "hf", "--since", "yesterday"])
    assert result.exit_code == 2 and "is not a date" in result.output


def test_ingest_oai_takes_the_set_and_format(tmp_path: Path, server: RecordedServer) -> None:
    script_oai(server, "oai_raw")
    args = ["ingest", "oai", "--since", "2025-03-18", "--until", "2025-03-19", "--json"]
    result = _runner(server, tmp_path).invoke(cli, [*args, "--set", "cs", "--format", "arXivRaw"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert (run["inserted"], run["versions_added"], run["params"]) == (
        6,
        9,
        {"set": "cs", "format": "arXivRaw"},
    )
    assert server.requests("/oai")[0].query["metadataPrefix"] == "arXivRaw"
