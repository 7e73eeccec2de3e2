"""Bulk imports build the keyword index once at the end: searchable after, with concurrent
writers and after a killed run, on SQLite and PostgreSQL."""

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

from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily import parse_hf_record
from dailypapers.services.bootstrap import Services
from tests.conftest import FIXED_NOW, make_services


def _rows(shared_data: Path, target: Path, n: int, skip: int = 0) -> list[dict]:
    source = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = list(islice(handle, skip, skip + n))
    target.write_text("".join(lines), encoding="utf-8")
    return [json.loads(line) for line in lines]


def _found(services: Services, row: dict) -> bool:
    title = row["title"]
    page = services.search.search(title, mode="keyword", limit=10)
    return row["arxiv_id"] in {hit.paper.arxiv_id for hit in page.hits}


def test_bulk_import_indexes_every_paper_including_a_concurrent_writers(
    tmp_path: Path, database_url: str, shared_data: Path
) -> None:
    services = make_services(tmp_path, database_url, import_batch_size=50)
    other = make_services(tmp_path / "other", database_url)  # another process's writes
    rows = _rows(shared_data, tmp_path / "bulk.jsonl", 200)
    extra = _rows(shared_data, tmp_path / "extra.jsonl", 1, skip=500)[0]
    written: list[bool] = []

    def write_meanwhile(done: int, total: int) -> None:
        if not written and done < total:  # mid-import, while the index is deferred
            assert not services.imports.keyword_index.is_complete()
            record = parse_hf_record(extra, RecordLimits.from_settings(other.settings))
            other.papers.upsert([record], now=FIXED_NOW)
            written.append(True)

    try:
        report = services.imports.import_file(
            tmp_path / "bulk.jsonl", "hf-daily", bulk=True, progress=write_meanwhile
        )
        assert report.bulk and report.inserted == 200 and written
        assert services.imports.keyword_index.is_complete()
        assert all(_found(services, row) for row in rows[::20])
        assert _found(services, extra)  # the concurrent writer's paper is indexed too
        # Row-by-row indexing is back for everything written after.
        later = _rows(shared_data, tmp_path / "later.jsonl", 1, skip=700)
        services.imports.import_file(tmp_path / "later.jsonl", "hf-daily", bulk=False)
        assert _found(services, later[0])
    finally:
        other.close()
        services.close()


def test_a_killed_bulk_import_leaves_a_searchable_database_after_the_rerun(
    tmp_path: Path, database_url: str, shared_data: Path
) -> None:
    rows = _rows(shared_data, tmp_path / "rows.jsonl", 3000)
    services = make_services(tmp_path, database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        {
            "DAILYPAPERS_DATABASE_URL": database_url,
            "DAILYPAPERS_DATA_DIR": str(tmp_path),
            "DAILYPAPERS_IMPORT_BATCH_SIZE": "20",
        }
    )
    command = [
        sys.executable,
        "-m",
        "dailypapers",
        "import",
        "hf-daily",
        "--bulk",
        "--json",
        str(tmp_path / "rows.jsonl"),
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while services.papers.count() < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        landed = services.papers.count()
        assert 100 <= landed < len(rows), "not killed mid-import"
        assert not services.imports.keyword_index.is_complete()

        report = services.imports.import_file(tmp_path / "rows.jsonl", "hf-daily", bulk=True)
        assert any("repaired" in line for line in report.errors)  # it says so
        assert services.imports.keyword_index.is_complete()
        assert services.papers.count() == len({r["arxiv_id"] for r in rows})
        first = rows[0]  # imported by the killed process, while the index was deferred
        assert _found(services, first)
        assert all(_found(services, row) for row in rows[:landed:25])
        if services.db.is_sqlite:  # the FTS index holds exactly the papers
            with services.db.read() as conn:
                fts = conn.execute(sa.text("SELECT count(*) FROM papers_fts")).scalar_one()
            assert fts == services.papers.count()
    finally:
        if proc.poll() is None:
            proc.kill()
        services.close()


@pytest.fixture(autouse=True)
def _no_leftover_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAILYPAPERS_IMPORT_BATCH_SIZE", raising=False)
