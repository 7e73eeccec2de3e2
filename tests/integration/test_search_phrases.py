"""Quoted phrases and -exclusions in search, on SQLite (FTS5) and PostgreSQL (tsvector).

300 real HF rows, 80 of them with vectors (search_support.py); nothing here writes. What a
phrase or an exclusion should find is worked out from the papers' own text with a regex.
"""

from __future__ import annotations

import re

import pytest

from dailypapers.services.bootstrap import Services

pytest_plugins = ("tests.integration.search_support",)

CHAIN_OF_THOUGHT = re.compile(r"\bchains?\W+of\W+thoughts?\b", re.IGNORECASE)
VISION = re.compile(r"\bvisions?\b", re.IGNORECASE)


def text(hit) -> str:
    return f"{hit.paper.title} {hit.paper.abstract}"


def all_hits(services: Services, query: str, mode: str) -> list:
    hits, number = [], 0
    while True:
        page = services.search.search(query, mode=mode, limit=100, page=number)
        hits += page.hits
        number += 1
        if number >= page.pages:
            return hits


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_quoted_phrase_finds_only_papers_holding_those_words_in_that_order(
    readonly_services: Services, mode: str
) -> None:
    hits = all_hits(readonly_services, '"chain of thought"', mode)
    assert hits and all(CHAIN_OF_THOUGHT.search(text(h)) for h in hits)
    assert len(hits) == 4  # every sample paper that says it (title or abstract)
    if mode == "keyword":  # unquoted, the words may stand anywhere (hybrid: the floor cuts)
        assert len(all_hits(readonly_services, "chain of thought", mode)) > len(hits)


def test_word_order_matters_inside_quotes(readonly_services: Services) -> None:
    assert all_hits(readonly_services, "learning reinforcement", "keyword")
    assert all_hits(readonly_services, '"learning reinforcement"', "keyword") == []


@pytest.mark.parametrize("mode", ["keyword", "hybrid", "semantic"])
def test_an_excluded_word_leaves_out_every_paper_holding_it(
    readonly_services: Services, mode: str
) -> None:
    query = "language models"
    with_vision = [h for h in all_hits(readonly_services, query, mode) if VISION.search(text(h))]
    assert with_vision, "the test needs hits that mention vision"
    hits = all_hits(readonly_services, f"{query} -vision", mode)
    assert hits and not [h for h in hits if VISION.search(text(h))]


def test_phrase_and_exclusion_together(readonly_services: Services) -> None:
    hits = all_hits(readonly_services, '"reinforcement learning" -vision', "keyword")
    assert len(hits) == 12  # 14 papers say "reinforcement learning"; 2 of them "vision"
    assert not [h for h in hits if VISION.search(text(h))]


def test_a_hyphen_inside_a_word_is_not_an_exclusion(readonly_services: Services) -> None:
    def ids(query: str) -> list[str]:
        return [h.paper.arxiv_id for h in all_hits(readonly_services, query, "keyword")]

    assert ids("chain-of-thought") == ids("chain of thought")
    assert ids("GPT-4 -vision") == ids("GPT 4 -vision")
