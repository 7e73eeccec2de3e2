"""Keyword search on real HF rows, on SQLite (FTS5) and PostgreSQL (tsvector) alike.

Read-only tests share one database per module (`readonly_services`); tests that write get
their own (`search_services`, with nothing embedded).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dailypapers.domain.papers import Paper, SourceRecord
from dailypapers.domain.search import SearchFilters
from dailypapers.errors import BadRequest
from dailypapers.services.bootstrap import Services

CONVLLAVA = "2405.15738"  # "ConvLLaVA: Hierarchical Backbones as Visual Encoder for ..."
NOW = datetime(2026, 8, 21, tzinfo=UTC)

METACHARACTERS = [
    'ConvLLaVA" OR "',
    "ConvLLaVA*",
    "-ConvLLaVA",
    "title:ConvLLaVA",
    "(ConvLLaVA",
    "NEAR(ConvLLaVA backbones)",
    "ConvLLaVA AND NOT OR",
    "ConvLLaVA'; DROP TABLE papers; --",
    "ConvLLaVA ^ {} [] \\ $ & | ! <-> :*",
]

pytest_plugins = ("tests.integration.search_support",)


def ids(page) -> list[str]:
    return [hit.paper.arxiv_id for hit in page.hits]


def test_a_title_word_finds_its_paper_first(readonly_services: Services) -> None:
    page = readonly_services.search.search("ConvLLaVA hierarchical backbones", mode="keyword")
    assert ids(page)[0] == CONVLLAVA
    hit = page.hits[0]
    assert hit.keyword_rank == 1 and hit.semantic_rank is None
    title = hit.paper.title
    assert [title[s.start : s.end] for s in hit.rationale.title_spans] == [
        "ConvLLaVA",
        "Hierarchical",
        "Backbones",
    ]


def test_query_syntax_characters_are_plain_text(readonly_services: Services) -> None:
    for query in METACHARACTERS:
        for mode in ("keyword", "hybrid"):
            page = readonly_services.search.search(query, mode=mode)
            assert CONVLLAVA in ids(page), (query, mode)


def test_every_word_first_then_any_word_when_that_finds_too_few(
    readonly_services: Services,
) -> None:
    page = readonly_services.search.search("ConvLLaVA zzyzxqq", mode="keyword")
    assert ids(page) == [CONVLLAVA]
    assert page.hits[0].rationale.matched_terms == ["convllava"]
    assert "not “zzyzxqq”" in page.hits[0].rationale.summary
    # three words or more: all but one of them is tried before any of them
    store = readonly_services.search.engine.keyword_index
    terms = ["convllava", "hierarchical", "zzyzxqq"]
    assert store.keyword(terms, match="all") == []
    assert [a for a, _ in store.keyword(terms, match="most")] == [CONVLLAVA]
    assert len(store.keyword(terms, match="any")) > 1


def test_before_indexing_search_is_keyword_only_and_says_so(search_services: Services) -> None:
    for mode in ("hybrid", "semantic"):
        page = search_services.search.search("video generation", mode=mode)
        assert page.mode == mode and page.mode_used == "keyword"
        assert "dailypapers index" in page.notice
        assert page.total > 0
    assert search_services.search.status().semantic_available is False


def test_a_query_over_the_length_limit_is_a_bad_request(readonly_services: Services) -> None:
    limit = readonly_services.settings.max_query_length
    readonly_services.search.search("video " + "x" * (limit - 6), mode="keyword")
    with pytest.raises(BadRequest, match="max_query_length"):
        readonly_services.search.search("x" * (limit + 1), mode="keyword")


def test_bad_mode_sort_paging_and_dates_are_bad_requests(readonly_services: Services) -> None:
    search = readonly_services.search.search
    with pytest.raises(BadRequest):
        search("video", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(BadRequest):
        search("video", sort="random")  # type: ignore[arg-type]
    with pytest.raises(BadRequest):
        search("video", limit=10_000)
    with pytest.raises(BadRequest):
        search("video", filters=SearchFilters(date(2024, 6, 2), date(2024, 6, 1)))


def test_a_query_without_words_answers_an_empty_page(readonly_services: Services) -> None:
    page = readonly_services.search.search(" $$ -- ** ")
    assert page.hits == [] and page.total == 0 and page.notice


def test_pages_walk_through_the_results_without_overlap(readonly_services: Services) -> None:
    search = readonly_services.search.search
    first, second = (
        search("language models", page=0, limit=5),
        search("language models", page=1, limit=5),
    )
    both = search("language models", page=0, limit=10)
    assert ids(first) + ids(second) == ids(both)
    assert first.total == second.total == both.total > 10
    assert len(set(ids(both))) == 10


def test_sorting_by_newest_and_by_upvotes(readonly_services: Services) -> None:
    newest = readonly_services.search.search("video", sort="newest", limit=20)
    dates = [hit.paper.published_at for hit in newest.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) > 5
    top = readonly_services.search.search("video", sort="upvotes", limit=20)
    votes = [hit.paper.upvotes for hit in top.hits]
    assert votes == sorted(votes, reverse=True)
    assert top.total == readonly_services.search.search("video").total  # the same results


def test_filters_restrict_dates_category_and_code(search_services: Services) -> None:
    extra = [
        Paper(
            "2406.99901",
            "Video diffusion with code",
            "A video paper.",
            categories=["cs.CV", "cs.LG"],
            github_repo="https://github.com/a/b",
            published_at=datetime(2024, 6, 10, tzinfo=UTC),
        ),
        Paper(
            "2406.99902",
            "Video understanding",
            "Another video paper.",
            categories=["cs.CL"],
            published_at=datetime(2024, 6, 11, tzinfo=UTC),
        ),
    ]
    search_services.papers.upsert([SourceRecord(p) for p in extra], now=NOW)
    search = search_services.search.search
    coded = search("video", filters=SearchFilters(has_code=True), limit=50)
    assert "2406.99901" in ids(coded) and all(h.paper.github_repo for h in coded.hits)
    assert ids(search("video", filters=SearchFilters(category="cs.LG"))) == ["2406.99901"]
    assert ids(search("video", filters=SearchFilters(category="cs.CL"))) == ["2406.99902"]
    window = SearchFilters(published_from=date(2024, 5, 28), published_to=date(2024, 5, 30))
    dated = search("video", filters=window, limit=50)
    assert dated.total > 0
    for hit in dated.hits:
        assert date(2024, 5, 28) <= hit.paper.published_at.date() <= date(2024, 5, 30)


def test_hidden_papers_never_appear(search_services: Services) -> None:
    assert ids(search_services.search.search("ConvLLaVA", mode="keyword"))[0] == CONVLLAVA
    search_services.papers.set_hidden(CONVLLAVA, True)
    assert CONVLLAVA not in ids(search_services.search.search("ConvLLaVA", mode="keyword"))


def test_a_paper_that_leaves_a_category_leaves_its_filtered_search_at_once(
    search_services: Services,
) -> None:
    """SQLite keeps the papers passing each filter per data version, which the write bumps."""
    search = search_services.search
    filters = SearchFilters(category="cs.ZZ")
    for categories, found in ((["cs.ZZ"], True), (["cs.YY"], False)):
        moved = Paper(arxiv_id=CONVLLAVA, title="", abstract="", categories=categories)
        search_services.papers.upsert([SourceRecord(moved)], now=NOW)
        page = search.search("ConvLLaVA", mode="keyword", filters=filters)
        assert (CONVLLAVA in ids(page)) is found


def test_an_edited_title_is_searchable_at_once(search_services: Services) -> None:
    paper = search_services.papers.get(CONVLLAVA)
    paper.title, paper.version = "Quokkaformer backbones", 9
    search_services.papers.upsert([SourceRecord(paper)], now=NOW)
    page = search_services.search.search("quokkaformer", mode="keyword")
    assert ids(page) == [CONVLLAVA]
    assert page.hits[0].rationale.title_spans  # the new title is what matched


def test_the_rationale_never_marks_a_different_word_that_shares_a_stem(
    search_services: Services,
) -> None:
    """Porter takes "rationale" to "rational", and "Rational" is a different word: the
    rationale of a hit marks only what is really there."""
    extra = [
        Paper("2406.99903", "Resource-Rational Analysis of Planning", "Bounded agents plan."),
        Paper("2406.99904", "Distilling Rationales", "Each rationale explains an answer."),
    ]
    search_services.papers.upsert([SourceRecord(p) for p in extra], now=NOW)
    page = search_services.search.search("rationale planning", mode="keyword", limit=100)
    hits = {hit.paper.arxiv_id: hit for hit in page.hits}
    assert set(hits) >= {"2406.99903", "2406.99904"}

    def marked(hit) -> list[str]:
        return [hit.paper.title[s.start : s.end] for s in hit.rationale.title_spans]

    assert marked(hits["2406.99903"]) == ["Planning"]
    assert hits["2406.99903"].rationale.matched_terms == ["planning"]
    assert "not “rationale”" in hits["2406.99903"].rationale.summary
    assert marked(hits["2406.99904"]) == ["Rationales"]
    assert hits["2406.99904"].rationale.matched_terms == ["rationale"]
