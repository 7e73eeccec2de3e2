"""Imports of the real shared data, on SQLite and PostgreSQL: counts, idempotence, bad lines."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.services.bootstrap import Services
from dailypapers.storage.tables import daily_entries, papers
from tests.conftest import make_services
from tests.databases import sqlite_copy

KILL_ROWS = 20_000  # of the arXiv listing, for the killed import


def _slice(source: Path, target: Path, n: int) -> list[dict]:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = list(islice(handle, n))
    target.write_text("".join(lines), encoding="utf-8")
    return [json.loads(line) for line in lines]


def test_full_hf_daily_file_imports_every_row_and_is_idempotent(
    services: Services, shared_data: Path
) -> None:
    path = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
    first = services.imports.import_file(path, "hf-daily")
    again = services.imports.import_file(path, "hf-daily")
    assert (first.fetched, first.skipped) == (9881, 0)
    assert first.inserted == 9877  # 9,877 unique arXiv ids in 9,881 rows
    assert first.entries_added == 9881
    assert (again.inserted, again.updated, again.entries_added) == (0, 0, 0)
    assert again.unchanged == 9877
    assert services.papers.count() == 9877


def test_api_response_gives_featured_day_submitter_and_upvotes(
    services: Services, shared_data: Path
) -> None:
    path = shared_data / "hf_daily_papers" / "api_fixtures" / "daily_papers_2025-07-24.json"
    recorded = json.loads(path.read_text())
    report = services.imports.import_file(path, "hf-daily")
    assert (report.inserted, report.skipped) == (len(recorded), 0)
    first = recorded[0]
    view = services.listings.paper(first["paper"]["id"])
    assert view.paper.external_upvotes == first["paper"]["upvotes"]
    assert view.paper.github_repo == first["paper"]["githubRepo"]
    assert [str(e.day) for e in view.entries] == ["2025-07-24"]
    assert view.entries[0].submitted_by == first["submittedBy"]["name"]


def test_arxiv_listing_rows_land_on_their_first_listed_day(
    services: Services, shared_data: Path, tmp_path: Path
) -> None:
    rows = _slice(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", tmp_path / "a.jsonl", 3000)
    report = services.imports.import_file(tmp_path / "a.jsonl", "arxiv-snapshot")
    assert (report.inserted, report.skipped) == (3000, 0)
    sample = rows[1234]
    view = services.listings.paper(sample["id"])
    assert [str(e.day) for e in view.entries] == [sample["first_listed"]]
    assert view.paper.categories[0] == sample["categories"][0]


def test_malformed_lines_are_counted_and_skipped_and_the_rest_lands(
    services: Services, shared_data: Path, tmp_path: Path
) -> None:
    rows = _slice(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", tmp_path / "a.jsonl", 200)
    broken = [json.dumps(r) for r in rows]
    broken[10] = broken[10][:50]  # cut mid-object
    broken[20] = json.dumps({**rows[20], "id": "not-an-id"})  # bad id
    broken[30] = json.dumps({**rows[30], "title": ""})  # empty title
    broken[40] = "[1, 2, 3]"  # not an object
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(broken) + "\n\n", encoding="utf-8")
    report = services.imports.import_file(path, "arxiv-snapshot")
    assert (report.fetched, report.inserted, report.skipped) == (200, 196, 4)
    assert any(e.startswith("broken.jsonl:11: invalid JSON") for e in report.errors)
    assert any(e.startswith("broken.jsonl:21: id:") for e in report.errors)
    assert any("broken.jsonl:31: empty title" in e for e in report.errors)
    assert services.papers.get(rows[20]["id"]) is None
    assert services.papers.get(rows[21]["id"]) is not None


def test_truncated_gzip_keeps_what_was_read_and_reports_it(
    services: Services, shared_data: Path, tmp_path: Path
) -> None:
    source = (shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz").read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(source[: len(source) // 3])
    report = services.imports.import_file(cut, "hf-daily")
    assert report.skipped == 1
    assert "truncated or corrupt" in report.errors[0]
    assert 2000 < report.inserted < 9877
    assert services.papers.count() == report.inserted


def test_a_killed_import_leaves_only_whole_batches_and_a_rerun_completes(
    tmp_path: Path, shared_data: Path
) -> None:
    """SIGKILL a real `dailypapers import` mid-run: no half batch, then the rerun finishes.

    The first ROWS rows of the arXiv listing, not all 74,728: the kill lands after 2,000
    papers and the rerun imports the rest, which was most of this test's time."""
    url = sqlite_copy(tmp_path / "kill.db")
    env = {**os.environ, "DAILYPAPERS_DATABASE_URL": url, "DAILYPAPERS_IMPORT_BATCH_SIZE": "500"}
    path = tmp_path / "listing.jsonl"
    rows = len(_slice(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", path, KILL_ROWS))
    command = [sys.executable, "-m", "dailypapers", "import", "arxiv-snapshot", "--json", str(path)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = sa.create_engine(url)
    deadline = time.monotonic() + 120
    count = 0
    while time.monotonic() < deadline and count < 2000:
        time.sleep(0.2)
        try:
            with engine.connect() as conn:
                count = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar()
        except sa.exc.OperationalError:
            count = 0  # schema not created yet
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with engine.connect() as conn:
        landed = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar()
        orphans = conn.execute(
            sa.select(sa.func.count())
            .select_from(papers)
            .where(~papers.c.arxiv_id.in_(sa.select(daily_entries.c.arxiv_id)))
        ).scalar()
    engine.dispose()
    assert 0 < landed < rows, "the import was not interrupted mid-run"
    assert landed % 500 == 0, f"{landed} papers: a batch was half-written"
    assert orphans == 0
    services = make_services(tmp_path, url)
    report = services.imports.import_file(path, "arxiv-snapshot")
    assert report.unchanged == landed
    assert report.inserted + report.unchanged == rows == KILL_ROWS
    services.close()


@pytest.mark.parametrize("kind", ["hf-daily", "arxiv-snapshot"])
def test_a_missing_file_is_a_clear_error(services: Services, tmp_path: Path, kind: str) -> None:
    from dailypapers.errors import BadRequest

    with pytest.raises(BadRequest, match="is not a file"):
        services.imports.import_file(tmp_path / "nope.jsonl", kind)
