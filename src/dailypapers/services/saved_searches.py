"""Saved searches (email digests) and search feeds, run through the hybrid search.

`HybridDigestSearch` implements `SearchForDigest` (domain/digests.py) on top of
`SearchService.search(mode="hybrid")`, restricted to papers published on/after the day of
`since`, and maps each hit to a `QueryHit` carrying the matched query spans (title and
abstract) as the reason.
"""

from __future__ import annotations

from datetime import datetime

from dailypapers.domain.digests import QueryHit
from dailypapers.domain.search import SearchFilters, SearchHit, parse_query
from dailypapers.services.search import SearchService


class HybridDigestSearch:
    """SearchForDigest by hybrid search, with a score on a 0..1 scale.

    Results come in hybrid-search order (best first). The score a subscriber's minimum
    applies to (`QueryHit.score`) is:

    - the hit's semantic similarity (`SearchHit.similarity`: the best cosine of the query to
      the paper or one of its sentences), clamped to 0..1, when the paper has a vector and
      the query could be embedded;
    - otherwise (no vectors yet, the model can't run here, or the paper is not embedded yet)
      the share of the query's words found in the title or abstract, as the keyword
      stop-gap scored it.

    So a minimum of 0.5 reads "at least fairly close in meaning" once papers are embedded,
    and "at least half of my words" before.
    """

    def __init__(self, search: SearchService) -> None:
        self.service = search

    def search(self, query: str, since: datetime | None, limit: int) -> list[QueryHit]:
        terms = parse_query(query).terms
        if not terms or limit <= 0:
            return []
        filters = SearchFilters(published_from=since.date() if since is not None else None)
        page_size = min(limit, self.service.site.max_page_size)
        hits: list[SearchHit] = []
        page = 0
        while len(hits) < limit and page <= self.service.site.max_page_number:
            result = self.service.search(
                query, mode="hybrid", filters=filters, page=page, limit=page_size
            )
            hits.extend(result.hits)
            page += 1
            if page >= result.pages or not result.hits:
                break
        return [
            QueryHit(
                hit.paper,
                _score(hit, terms),
                tuple(hit.rationale.title_spans),
                tuple(hit.rationale.abstract_spans),
            )
            for hit in hits[:limit]
        ]


def _score(hit: SearchHit, terms: list[str]) -> float:
    if hit.similarity is not None:
        return min(max(float(hit.similarity), 0.0), 1.0)
    matched = set(hit.rationale.matched_terms) & set(terms)
    return len(matched) / len(terms)
