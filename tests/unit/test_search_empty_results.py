"""dailypapers.domain.search: what a search that found nothing says (which filter emptied it,
what broader search to try), decided without a database: `emptied_by` counts through a
function it is given."""

from __future__ import annotations

from datetime import date

from dailypapers.domain.search import BroaderSearch, SearchFilters, broader_search, emptied_by

JULY = SearchFilters(published_from=date(2026, 7, 1), published_to=date(2026, 7, 31))


def _counts(**found: int):
    """A `count(filters)` that finds `found[name]` papers under a filter of that name alone
    (`none`: no filter) and records what it was asked."""
    asked: list[SearchFilters] = []

    def count(only: SearchFilters) -> int:
        asked.append(only)
        if only.category:
            return found["category"]
        if only.has_code:
            return found["code"]
        if only.published_from or only.published_to:
            return found["dates"]
        return found["none"]

    return count, asked


def test_the_filter_that_finds_nothing_alone_is_named() -> None:
    count, _ = _counts(none=40, dates=12, category=0, code=30)
    filters = SearchFilters(JULY.published_from, JULY.published_to, "zz.NONE", has_code=True)
    assert emptied_by(count, filters) == "the arXiv category “zz.NONE”"


def test_every_filter_that_finds_nothing_alone_is_named() -> None:
    count, _ = _counts(none=40, dates=0, category=5, code=0)
    filters = SearchFilters(JULY.published_from, JULY.published_to, has_code=True)
    assert emptied_by(count, filters) == "the publication dates and “With code”"


def test_filters_that_each_find_something_are_blamed_together() -> None:
    count, _ = _counts(none=40, dates=3, category=5, code=9)
    filters = SearchFilters(category="cs.CL", has_code=True)
    assert emptied_by(count, filters) == "these filters together"


def test_words_that_find_nothing_alone_blame_no_filter_and_cost_one_count() -> None:
    count, asked = _counts(none=0, dates=0, category=0, code=0)
    assert emptied_by(count, SearchFilters(category="cs.CL", has_code=True)) is None
    assert asked == [SearchFilters()]


def test_a_search_without_filters_counts_nothing() -> None:
    count, asked = _counts(none=0, dates=0, category=0, code=0)
    assert emptied_by(count, SearchFilters()) is None
    assert asked == []


def test_the_broader_search_drops_the_filters_first() -> None:
    filters = SearchFilters(category="zz.NONE")
    assert broader_search('"a b" -c', "keyword", filters) == BroaderSearch(
        "the same words without filters", '"a b" -c', "keyword"
    )


def test_then_the_quotes_and_exclusions() -> None:
    assert broader_search('"chain of thought" -vision', "keyword", SearchFilters()) == (
        BroaderSearch("“chain of thought”", "chain of thought", "keyword")
    )


def test_then_meaning_as_well_as_keywords() -> None:
    assert broader_search("zzzzqqqq", "keyword", SearchFilters()) == BroaderSearch(
        "a search by meaning as well", "zzzzqqqq", "hybrid"
    )


def test_a_plain_hybrid_or_semantic_search_is_already_the_broadest() -> None:
    assert broader_search("zzzzqqqq", "hybrid", SearchFilters()) is None
    assert broader_search("zzzzqqqq", "semantic", SearchFilters()) is None
    assert broader_search("-zzzz", "hybrid", SearchFilters()) is None  # nothing left to search
