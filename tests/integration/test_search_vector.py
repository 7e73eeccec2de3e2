"""PostgreSQL: the keyword vectors an import computes set-based (storage/search_vector.py)
equal what the row trigger of the normal write path computes, for every imported paper."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.storage.bulk_rows import insert_rows
from dailypapers.storage.search_vector import insert_papers
from dailypapers.storage.tables import papers
from tests.conftest import make_services

pytestmark = pytest.mark.postgres


def _head(source: Path, target: Path, n: int, skip: int = 0) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        target.write_text("".join(islice(handle, skip, skip + n)), encoding="utf-8")


def _vectors(conn: sa.Connection) -> dict[str, str]:
    rows = conn.execute(sa.text("SELECT arxiv_id, search_vector::text FROM papers"))
    return {arxiv_id: vector for arxiv_id, vector in rows}


def test_imported_vectors_equal_the_triggers_for_every_paper(
    tmp_path: Path, pg_url: str, shared_data: Path
) -> None:
    services = make_services(tmp_path, pg_url, import_batch_size=200)
    try:
        # HF records (keywords, organizations) and arXiv records (no keywords), both in bulk
        # and not, then the same HF papers again: a second run updates nothing.
        hf = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
        _head(hf, tmp_path / "hf", 1500, skip=2500)  # most with HF keywords
        _head(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", tmp_path / "ax", 1500)
        services.imports.import_file(tmp_path / "hf", "hf-daily", bulk=True)
        services.imports.import_file(tmp_path / "ax", "arxiv-snapshot", bulk=False)
        services.imports.import_file(tmp_path / "hf", "hf-daily", bulk=True)
        with services.db.write() as conn:
            imported = _vectors(conn)
            # The normal write path: the row trigger computes each paper's vector again.
            conn.execute(sa.text("UPDATE papers SET title = title"))
            by_trigger = _vectors(conn)
        assert len(imported) >= 2900
        assert None not in imported.values()
        assert {k for k, v in imported.items() if v != by_trigger[k]} == set()
        # the keywords field (weight C) is in the comparison: HF papers hold it
        assert sum(1 for v in imported.values() if re.search(r"\dC\b", v)) > 1000
    finally:
        services.close()


def test_writes_after_a_set_based_insert_in_the_same_transaction_use_the_trigger(
    tmp_path: Path, pg_url: str
) -> None:
    """The trigger stands aside for the set-based INSERT only: a later insert or update in
    the same transaction gets its vector from the trigger."""
    services = make_services(tmp_path, pg_url)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    row = {
        "arxiv_id": "2601.00001",
        "title": "Quokka census",
        "abstract": "Marsupials.",
        "authors": ["Ada Lovelace"],
        "categories": ["cs.CL"],
        "created_at": now,
        "modified_at": now,
    }
    try:
        with services.db.write() as conn:
            insert_papers(conn, [row])
            insert_rows(conn, papers, [{**row, "arxiv_id": "2601.00002"}])
            conn.execute(papers.update().values(title="Zebrafish census"))
            found = conn.execute(
                sa.text(
                    "SELECT arxiv_id FROM papers WHERE search_vector @@ "
                    "to_tsquery('english', 'zebrafish & lovelace & marsupial')"
                )
            ).scalars()
            assert sorted(found) == ["2601.00001", "2601.00002"]
    finally:
        services.close()
