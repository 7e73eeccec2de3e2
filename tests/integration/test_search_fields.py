"""Keyword search's own fields: HF keywords, authors (`author:`, plain names) and `cat:`.

On SQLite (FTS5 columns from the view of migration 0012) and PostgreSQL (tsvector weights C
and D). Authors come from 300 real HF rows; keywords and categories are written here, as
the first sample rows carry none.
"""

from __future__ import annotations

import collections
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dailypapers.domain.papers import Paper, SourceRecord
from dailypapers.domain.search import SearchFilters
from dailypapers.services.bootstrap import Services
from tests.conftest import SQLITE_ONLY

pytest_plugins = ("tests.integration.search_support",)

NOW = datetime(2026, 8, 21, tzinfo=UTC)


def ids(page) -> list[str]:
    return [hit.paper.arxiv_id for hit in page.hits]


def sample_authors(hf_sample: Path) -> dict[str, set[str]]:
    papers: dict[str, set[str]] = collections.defaultdict(set)
    for line in hf_sample.read_text().splitlines():
        row = json.loads(line)
        for name in row.get("authors") or []:
            papers[name].add(row["arxiv_id"])
    return papers


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_author_field_finds_exactly_that_authors_papers(
    readonly_services: Services, hf_sample: Path, mode: str
) -> None:
    papers = sample_authors(hf_sample)
    for name in ("Wenhu Chen", "William Yang Wang"):
        page = readonly_services.search.search(f'author:"{name}"', mode=mode, limit=50)
        assert set(ids(page)) == papers[name], name


def test_author_field_with_words_ranks_only_that_authors_papers(
    readonly_services: Services, hf_sample: Path
) -> None:
    papers = sample_authors(hf_sample)["Wenhu Chen"]
    page = readonly_services.search.search('author:"Wenhu Chen" video', mode="keyword")
    assert ids(page) and set(ids(page)) <= papers
    every = readonly_services.search.search("video", mode="keyword", limit=100)
    assert len(ids(every)) > len(ids(page))


def test_author_field_by_surname(readonly_services: Services, hf_sample: Path) -> None:
    papers = sample_authors(hf_sample)
    tulyakov = set().union(*(p for n, p in papers.items() if "tulyakov" in n.lower()))
    page = readonly_services.search.search("author:tulyakov", mode="keyword", limit=50)
    assert set(ids(page)) == tulyakov


def test_a_plain_name_ranks_that_authors_papers_first(
    readonly_services: Services, hf_sample: Path
) -> None:
    papers = sample_authors(hf_sample)["Sergey Tulyakov"]
    page = readonly_services.search.search("Sergey Tulyakov", mode="keyword")
    assert set(ids(page)[: len(papers)]) == papers


def keyword_papers() -> list[Paper]:
    return [
        Paper(
            arxiv_id="2608.00001",
            title="A study of draft models",
            abstract="We measure how often a small model's guesses survive a large one's check.",
            ai_keywords=["speculative decoding", "token acceptance"],
            categories=["cs.CL"],
            published_at=NOW,
        ),
        Paper(
            arxiv_id="2608.00002",
            title="Speculative execution in processors",
            abstract="Branch predictors guess; decoding of instructions follows the guess.",
            categories=["cs.AR"],
            published_at=NOW,
        ),
    ]


def test_keywords_are_a_field_of_their_own(search_services: Services) -> None:
    search_services.papers.upsert([SourceRecord(p) for p in keyword_papers()], now=NOW)
    page = search_services.search.search("speculative decoding", mode="keyword")
    assert {"2608.00001", "2608.00002"} <= set(ids(page))  # the first by its keywords only
    # words only its keywords hold
    assert "2608.00001" in ids(
        search_services.search.search("token acceptance", mode="keyword", limit=100)
    )


def test_changed_keywords_are_indexed_again(search_services: Services) -> None:
    first = replace(keyword_papers()[0], ai_keywords=["wombatnet"])
    search_services.papers.upsert([SourceRecord(first)], now=NOW)
    assert ids(search_services.search.search("wombatnet", mode="keyword")) == ["2608.00001"]
    changed = replace(first, ai_keywords=["quokkaformer routing"])
    search_services.papers.upsert([SourceRecord(changed)], now=NOW)
    assert ids(search_services.search.search("quokkaformer", mode="keyword")) == ["2608.00001"]
    assert ids(search_services.search.search("wombatnet", mode="keyword")) == []


@pytest.mark.parametrize("spelling", ["cat:cs.CL", "category:cs.CL", "cat:cs.cl"])
def test_category_in_the_query_filters(search_services: Services, spelling: str) -> None:
    search_services.papers.upsert([SourceRecord(p) for p in keyword_papers()], now=NOW)
    page = search_services.search.search(f"speculative {spelling}", mode="keyword")
    assert ids(page) == ["2608.00001"]
    assert page.filters.category == "cs.CL"
    other = search_services.search.search("speculative cat:cs.AR", mode="keyword")
    assert ids(other) == ["2608.00002"]


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_a_category_change_reaches_filtered_search_at_once(
    embedded_services: Services, mode: str
) -> None:
    """The vectors' filter is remembered per data version (SQLite): a paper that joins a
    category is found under it by the next search."""
    search = embedded_services.search
    query = "large language models reasoning"
    top = ids(search.search(query, mode=mode))[0]
    assert ids(search.search(f"{query} cat:cs.ZZ", mode=mode)) == []
    joined = Paper(arxiv_id=top, title="", abstract="", categories=["cs.ZZ"])
    embedded_services.papers.upsert([SourceRecord(joined)], now=NOW)
    assert ids(search.search(f"{query} cat:cs.ZZ", mode=mode)) == [top]


@SQLITE_ONLY  # the FTS5 path
def test_a_filtered_keyword_search_looks_further_until_enough_pass(
    search_services: Services,
) -> None:
    """SQLite ranks the matches and reads them, best first, until enough pass the filter:
    a paper that passes far down the ranking is still found."""
    assert search_services.db.is_sqlite
    search_services.papers.upsert([SourceRecord(p) for p in keyword_papers()], now=NOW)
    index = search_services.search.engine.keyword_index
    every = index.keyword(["model"], match="any", limit=1000)
    assert len(every) > 50 and every[0][0] != "2608.00001"
    found = index.keyword(["model"], match="any", filters=SearchFilters(category="cs.CL"), limit=1)
    assert [a for a, _ in found] == ["2608.00001"]
