"""A query that matches nothing says so, and offers the corpus's spelling where there is one.

300 real HF rows, 80 of them with vectors (search_support.py), on SQLite and PostgreSQL. The floors
(`search_semantic_floor` per paper, `search_query_floor` per query) drop papers that share
no query word in full and are not close in meaning, so gibberish, markup and misspellings
find nothing instead of the 100 nearest vectors.
"""

from __future__ import annotations

import pytest

from dailypapers.services.bootstrap import Services

pytest_plugins = ("tests.integration.search_support",)

NONSENSE = ["xyzzy", "qwertyuiopasdf", "<script>alert('x')</script>"]


@pytest.mark.parametrize("query", NONSENSE)
@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_a_query_with_no_keyword_match_and_no_close_meaning_finds_nothing(
    readonly_services: Services, query: str, mode: str
) -> None:
    page = readonly_services.search.search(query, mode=mode)
    assert page.mode_used == mode
    assert page.hits == [] and page.total == 0
    assert page.suggestion is None  # nothing in the titles is spelt like these


def test_a_real_query_still_finds_papers_close_in_meaning(readonly_services: Services) -> None:
    page = readonly_services.search.search("gaussian splatting for 3D scenes", mode="semantic")
    assert page.total > 0
    floor = readonly_services.settings.search_semantic_floor
    assert all(hit.similarity >= floor for hit in page.hits)
    assert page.suggestion is None


def test_a_misspelt_word_gets_the_corpus_spelling(readonly_services: Services) -> None:
    page = readonly_services.search.search("Multilingal Reconstrution", mode="keyword")
    assert page.total == 0
    assert page.suggestion == "multilingual reconstruction"
    assert readonly_services.search.search(page.suggestion, mode="keyword").total > 0


def test_a_query_that_matches_keeps_no_suggestion(readonly_services: Services) -> None:
    page = readonly_services.search.search("diffusion", mode="hybrid")
    assert page.total > 0 and page.suggestion is None


@pytest.mark.parametrize(
    ("semantic_floor", "query_floor", "finds"),
    [(0.0, 0.0, True), (0.0, 0.42, False), (0.35, 0.42, False)],
)
def test_the_query_floor_is_what_turns_nonsense_away(
    embedded_services: Services,
    make_services,
    tmp_path,
    minilm,
    semantic_floor: float,
    query_floor: float,
    finds: bool,
) -> None:
    """On the demo data qwertyuiopasdf's nearest papers reach 0.397, above the per-paper
    floor: the query floor alone must be able to say "nothing here"."""
    services = make_services(
        tmp_path / "floors",
        embedded_services.settings.database_url,
        minilm,
        search_semantic_floor=semantic_floor,
        search_query_floor=query_floor,
    )
    try:
        page = services.search.search("xyzzy", mode="semantic")
        assert (page.total > 0) is finds
    finally:
        services.close()
