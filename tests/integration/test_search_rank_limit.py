"""PostgreSQL ranks at most `search_keyword_rank_limit` keyword matches (storage/
keyword_index.py): past that many, the first ones in table order, after hidden papers and
filters are left out; with fewer, the ranking is the whole one. On a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dailypapers.domain.papers import Paper, SourceRecord
from dailypapers.domain.search import SearchFilters
from dailypapers.services.bootstrap import Services
from dailypapers.storage.tsvector_index import TsvectorKeywordIndex
from tests.conftest import make_services

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 8, 21, tzinfo=UTC)
LIMIT = 100  # the setting's least value
BEST = "2608.09999"  # holds the word in its title: ts_rank's best, and the last one stored


@pytest.fixture
def services(tmp_path: Path, pg_url: str) -> Iterator[Services]:
    services = make_services(tmp_path, pg_url, search_keyword_rank_limit=LIMIT)
    plain = [
        Paper(
            arxiv_id=f"2608.{n:05d}",
            title=f"Study number {n}",
            abstract="We observe a zebra crossing the road."
            + (" An okapi watches." if n < 50 else ""),
            categories=["cs.CV"],
            published_at=NOW,
        )
        for n in range(1, 150)
    ]
    for paper in plain:  # one at a time: table order is the order stored
        services.papers.upsert([SourceRecord(paper)], now=NOW)
    best = Paper(
        arxiv_id=BEST,
        title="Zebra zebra: the zebra and the okapi",
        abstract="A zebra, another zebra, and an okapi.",
        categories=["cs.ZZ"],
        published_at=NOW,
    )
    services.papers.upsert([SourceRecord(best)], now=NOW)
    yield services
    services.close()


def ranked(index: TsvectorKeywordIndex, words: str, **options) -> list[str]:
    return [a for a, _ in index.keyword(words.split(), limit=options.pop("limit", 10), **options)]


def test_only_the_first_matches_are_ranked_after_hidden_papers_and_filters(
    services: Services,
) -> None:
    index = services.search.engine.keyword_index
    assert isinstance(index, TsvectorKeywordIndex) and index.rank_limit == LIMIT
    every = TsvectorKeywordIndex(services.db, rank_limit=10**9)
    assert ranked(every, "zebra")[0] == BEST  # 150 matches: the best is the last stored

    found = ranked(index, "zebra", limit=LIMIT)
    assert set(found) == {f"2608.{n:05d}" for n in range(1, LIMIT + 1)}

    # fewer matches than the bound (50 hold "okapi"): the whole ranking, in its order
    okapi = ranked(index, "okapi", limit=50)
    assert len(okapi) == 50 and okapi[0] == BEST and okapi == ranked(every, "okapi", limit=50)

    # a filter and hidden papers are applied before the bound, not to what it kept
    assert ranked(index, "zebra", filters=SearchFilters(category="cs.ZZ")) == [BEST]
    for n in range(1, 101):
        services.papers.set_hidden(f"2608.{n:05d}", True)
    assert ranked(index, "zebra")[0] == BEST


def test_an_any_query_ranks_the_papers_holding_its_rarest_words(services: Services) -> None:
    """With more matches than the bound, "any" takes its candidates from the rarest words
    (by the column's statistics): the first 100 papers stored all hold "zebra", and the
    best match, stored last, is found through "okapi" (50 papers)."""
    with services.db.write() as conn:
        conn.exec_driver_sql("ANALYZE papers")
    index = services.search.engine.keyword_index
    found = ranked(index, "zebra okapi", match="any")
    assert found[0] == BEST
    with services.db.read() as conn:
        assert index._rarest(conn, ["zebra", "okapi", "the"]) == ["okapi"]
