"""Search and similar papers: the use cases behind /search, the search API and `dailypapers search`.

A request is checked against the settings here, the one place that checks it (query length,
mode, sort, paging, date range), and answered by the search engine (`dailypapers.search`),
which owns retrieval, fusion and rationales; see its docstring for how a query is ranked and
what was measured. What the answer says beyond its hits is decided here too, once for the
page, its JSON twin, `/api/search` and the CLI: the keyphrases the hits share, and for a
search that found nothing, which filter emptied it and a broader search to offer.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dailypapers.config import SearchSettings, SiteSettings
from dailypapers.domain.paging import check_paging
from dailypapers.domain.search import (
    SEARCH_MODES,
    SEARCH_SORTS,
    SearchFilters,
    SearchMode,
    SearchPage,
    SearchSort,
    SimilarPaper,
    broader_search,
    emptied_by,
    keyphrase_facets,
    with_facets,
)
from dailypapers.errors import BadRequest
from dailypapers.search import SearchEngine, SearchStatus
from dailypapers.storage.keyphrases import KeyphraseStore

__all__ = ["SearchService", "SearchStatus"]


class SearchService:
    def __init__(
        self,
        settings: SearchSettings,
        site: SiteSettings,
        engine: SearchEngine,
        keyphrases: KeyphraseStore | None = None,
    ) -> None:
        self.settings = settings
        self.site = site
        self.engine = engine
        self.keyphrases = keyphrases  # computed keyphrases, for papers without ai_keywords

    def status(self) -> SearchStatus:
        return self.engine.status()

    def search(
        self,
        query: str,
        *,
        mode: SearchMode = "hybrid",
        sort: SearchSort = "relevance",
        filters: SearchFilters | None = None,
        page: int = 0,
        limit: int | None = None,
        explain_hits: bool = True,
    ) -> SearchPage:
        """One page of results for `query`; `page` counts from 0. A search that finds
        nothing says which filter emptied it and offers a broader search (`SearchPage`).

        Raises BadRequest for a query over `max_query_length`, an unknown mode or sort,
        paging outside the page-size settings, or a date range that ends before it starts.
        `explain_hits=False` skips the rationales, the facets and the empty search's
        explanation (evaluation runs and HF's search, which only need the hits).
        """
        filters = filters or SearchFilters()
        query = (query or "").strip()
        limit = self._check(query, mode, sort, filters, page, limit)
        found = self.engine.search(
            query,
            mode=mode,
            sort=sort,
            filters=filters,
            page=page,
            limit=limit,
            explain_hits=explain_hits,
        )
        if found.suggestion == query:  # nothing to correct
            found = replace(found, suggestion=None)
        if not explain_hits:
            return found
        if found.hits and self.settings.search_keyphrase_facets:
            return with_facets(found, self._facets(found))
        if query and found.total == 0:
            return self._explain_empty(found, filters)
        return found

    def _explain_empty(self, found: SearchPage, filters: SearchFilters) -> SearchPage:
        """Which of the asked filters left none (the same words counted under fewer filters,
        one search each, paid only by a search that found nothing), and a broader search."""

        def count(only: SearchFilters) -> int:
            return self.engine.search(
                found.query, mode=found.mode, filters=only, limit=1, explain_hits=False
            ).total

        return replace(
            found,
            emptied_by=emptied_by(count, filters),
            broader=broader_search(found.query, found.mode, filters),
        )

    def _facets(self, found: SearchPage) -> tuple[tuple[str, int], ...]:
        """The keyphrases the hits share: HF's `ai_keywords`, else the computed ones."""
        papers = [hit.paper for hit in found.hits]
        missing = [p.arxiv_id for p in papers if not p.ai_keywords]
        computed = self.keyphrases.for_papers(missing) if self.keyphrases and missing else {}
        phrases = [p.ai_keywords or computed.get(p.arxiv_id, ()) for p in papers]
        return keyphrase_facets(found.query, phrases, limit=self.settings.search_keyphrase_facets)

    def similar(self, arxiv_id: str, *, limit: int = 6) -> list[SimilarPaper]:
        """Nearest papers to a paper by embedding, each with a one-line reason.

        Empty while the paper has no vector yet; NotFound if there is no such visible paper.
        """
        if not 1 <= limit <= self.settings.similar_papers_max:
            raise BadRequest(f"limit must be between 1 and {self.settings.similar_papers_max}")
        return self.engine.similar(arxiv_id, limit=limit)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding (cached: paging through results embeds a query once)."""
        return self.engine.query_vector(query)

    def forget_queries(self) -> None:
        self.engine.forget_queries()

    def optimize_keyword_index(self) -> None:
        """After bulk imports (`dailypapers index`): faster keyword queries."""
        self.engine.optimize_keyword_index()

    def rebuild_keyword_index(self) -> None:
        """After a VACUUM renumbered SQLite's rowids (`dailypapers index --rebuild`)."""
        self.engine.rebuild_keyword_index()

    def wait_for_vector_index(self, timeout: float | None = None) -> bool:
        return self.engine.wait_for_vector_index(timeout)

    def close(self) -> None:
        self.engine.close()

    def _check(
        self,
        query: str,
        mode: str,
        sort: str,
        filters: SearchFilters,
        page: int,
        limit: int | None,
    ) -> int:
        """The page size to use; BadRequest for anything outside the settings."""
        s = self.site
        if len(query) > s.max_query_length:
            raise BadRequest(
                f"the query is {len(query)} characters long; the limit is "
                f"{s.max_query_length} (setting max_query_length)"
            )
        if mode not in SEARCH_MODES:
            raise BadRequest(f"mode must be one of {', '.join(SEARCH_MODES)}")
        if sort not in SEARCH_SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SEARCH_SORTS)}")
        _, limit = check_paging(s, page, limit)
        if (
            filters.published_from
            and filters.published_to
            and filters.published_from > filters.published_to
        ):
            raise BadRequest("the date range ends before it starts")
        return limit
