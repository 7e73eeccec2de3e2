"""How a web process learns that vectors exist, and how often it counts them.

A second process on the same database (a `serve` worker while `dailypapers index` or a
worker embeds elsewhere) must start hybrid search within a second of the first vectors, and
say how much is embedded; on PostgreSQL it must not count the embeddings table (seconds at
1M papers) more often than `search_paper_count_interval_s`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.services.bootstrap import Services
from tests.conftest import POSTGRES_ONLY
from tests.integration.search_support import EMBEDDED, SAMPLE_ROWS, open_services

pytest_plugins = ("tests.integration.search_support",)


def count_statements(services: Services) -> list[str]:
    """Every COUNT over the embeddings table that `services`' engine runs from now on."""
    seen: list[str] = []
    engine = services.search.engine.embeddings.db.read_engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if "count(" in statement.lower() and "embeddings" in statement.lower():
            seen.append(statement)

    return seen


def test_another_process_searches_hybrid_within_a_second_of_the_first_vectors(
    search_services: Services, sample_vectors: Path, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    url = search_services.settings.database_url  # the same database, another process's view
    web = open_services(tmp_path / "web", url, minilm, search_paper_count_interval_s=3600)
    try:
        before = web.search.search("language model agents", mode="hybrid", limit=5)
        assert before.mode_used == "keyword"  # nothing embedded yet
        assert search_services.embedding.import_vectors(sample_vectors) == EMBEDDED
        time.sleep(1.1)  # past CHECK_INTERVAL_S; far inside the hour-long count interval
        after = web.search.search("language model agents", mode="hybrid", limit=5)
        assert after.mode_used == "hybrid"
        assert after.embedded_fraction == pytest.approx(EMBEDDED / SAMPLE_ROWS, abs=0.02)
    finally:
        web.close()


@POSTGRES_ONLY  # SQLite keeps the vectors in memory and compares the table's state
def test_postgres_counts_the_embeddings_once_per_interval(
    embedded_services: Services, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    url = embedded_services.settings.database_url  # the same database, another process's view
    assert url is not None and url.startswith("postgresql")
    web = open_services(tmp_path / "web", url, minilm, search_paper_count_interval_s=3600)
    try:
        counts = count_statements(web)
        for query in ("diffusion", "speculative decoding", "test-time scaling"):
            page = web.search.search(query, mode="hybrid", limit=5)
            assert page.mode_used == "hybrid"
            time.sleep(0.6)  # the searches span more than CHECK_INTERVAL_S
        assert len(counts) == 1, counts
    finally:
        web.close()
