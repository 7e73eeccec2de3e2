"""The search's query parameters, declared once for the search page and `/api/search`.

Both routes take `asked: SearchParams`, so the names, types and descriptions (the OpenAPI
document shows the API's) cannot drift apart. This module parses (the dates and `has_code`,
by `SearchFilters.from_params`, the one parser of filters); it checks nothing against the
settings. `SearchService.search` is the one place that checks a search (query length, mode,
sort, paging, a date range that ends before it starts), for the page, the API and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Query

from dailypapers.deps.params import PageNumber, PageSize
from dailypapers.domain.search import SearchFilters, SearchMode, SearchSort

Q = Annotated[str, Query(description="The query: plain words (no operators).")]
Mode = Annotated[str, Query(description="hybrid, keyword or semantic.")]
Sort = Annotated[str, Query(description="relevance, newest or upvotes.")]
PublishedFrom = Annotated[
    str | None, Query(alias="from", description="Published on/after, YYYY-MM-DD.")
]
PublishedTo = Annotated[
    str | None, Query(alias="to", description="Published on/before, YYYY-MM-DD.")
]
Category = Annotated[str | None, Query(description="An arXiv category, e.g. cs.CL.")]
HasCode = Annotated[str | None, Query(description="1: only papers with code.")]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search as asked in a query string: parsed, not yet checked (mode and sort are
    whatever was typed until `SearchService.search` refuses an unknown one)."""

    query: str  # stripped
    mode: SearchMode
    sort: SearchSort
    filters: SearchFilters
    page: int
    limit: int | None


async def search_request(  # on the event loop: it only parses (see deps._on_loop)
    q: Q = "",
    mode: Mode = "hybrid",
    sort: Sort = "relevance",
    published_from: PublishedFrom = None,
    published_to: PublishedTo = None,
    category: Category = None,
    has_code: HasCode = None,
    p: PageNumber = 0,
    limit: PageSize = None,
) -> SearchRequest:
    filters = SearchFilters.from_params(published_from, published_to, category, has_code)
    return SearchRequest(
        q.strip(), cast(SearchMode, mode), cast(SearchSort, sort), filters, p, limit
    )


SearchParams = Annotated[SearchRequest, Depends(search_request)]
