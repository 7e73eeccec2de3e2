"""`import_writers`: on PostgreSQL a batch is written by several connections at once, each
its share of the papers. The database and the report must be what one writer leaves: every
record of a paper in one share, in file order, and a refused record skipped alone."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.services.bootstrap import Services
from tests.conftest import make_services
from tests.postgres_server import fresh_database

pytestmark = pytest.mark.postgres


def _file(shared_data: Path, target: Path) -> Path:
    """400 arXiv rows, the first 40 each followed at once by a revision (a later record of
    the same paper, in the same batch), and one row whose id no database takes."""
    with gzip.open(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", "rt") as handle:
        rows = [json.loads(line) for line in islice(handle, 400)]
    ordered: list[dict] = []
    for row in rows[:40]:
        ordered += [row, {**row, "title": row["title"] + " (revised)"}]
    bad = {**rows[0], "id": "not an id"}
    lines = [json.dumps(r) for r in [*ordered, bad, *rows[40:]]]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _state(services: Services) -> tuple[list, list]:
    with services.db.read() as conn:
        papers = conn.execute(
            sa.text("SELECT arxiv_id, title, abstract, version FROM papers ORDER BY arxiv_id")
        ).all()
        entries = conn.execute(
            sa.text("SELECT day, arxiv_id, source, position FROM daily_entries ORDER BY 1, 2")
        ).all()
    return [tuple(r) for r in papers], [tuple(r) for r in entries]


def test_several_writers_leave_what_one_writer_leaves(
    tmp_path: Path, pg_url: str, second_pg_url: str, shared_data: Path
) -> None:
    path = _file(shared_data, tmp_path / "rows.jsonl")
    results = {}
    for writers in (1, 3):
        url = pg_url if writers == 1 else second_pg_url
        services = make_services(
            tmp_path / str(writers), url, import_batch_size=64, import_writers=writers
        )
        try:
            report = services.imports.import_file(path, "arxiv-snapshot", bulk=True)
            results[writers] = (report.as_dict(), _state(services))
        finally:
            services.close()
    one, three = results[1], results[3]
    assert three == one
    report, (papers, _entries) = one
    assert (report["inserted"], report["skipped"]) == (400, 1)
    assert sum(title.endswith(" (revised)") for _, title, _, _ in papers) == 40


@pytest.fixture
def second_pg_url(pg_admin_url: str) -> Iterator[str]:
    """Another fresh database beside `pg_url`, dropped afterwards."""
    with fresh_database(pg_admin_url) as url:
        yield url
