"""PostgreSQL: paper rows of up to a page are stored as written, not pglz-compressed
(migration 0016): compressing 2-4 kB rows cost an import ~3.5 s of server CPU."""

from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import make_services

pytestmark = pytest.mark.postgres


def test_imported_paper_rows_of_up_to_a_page_are_not_compressed(
    tmp_path: Path, pg_url: str, shared_data: Path
) -> None:
    source = shared_data / "arxiv_daily_cs" / "papers.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        (tmp_path / "ax.jsonl").write_text("".join(islice(handle, 300)), encoding="utf-8")
    services = make_services(tmp_path, pg_url)
    try:
        services.imports.import_file(tmp_path / "ax.jsonl", "arxiv-snapshot")
        with services.db.read() as conn:
            over_2kb, compressed = conn.execute(
                sa.text(
                    "SELECT count(*) FILTER (WHERE pg_column_size(p.*) > 2032), "
                    "count(*) FILTER (WHERE pg_column_compression(abstract) IS NOT NULL "
                    "OR pg_column_compression(search_vector) IS NOT NULL) FROM papers p"
                )
            ).one()
        assert over_2kb > 50  # rows the default 2 kB target would have compressed
        assert compressed == 0
    finally:
        services.close()
