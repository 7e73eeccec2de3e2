"""The keyword leg of a search: which matches to ask the keyword index for, and in what order.

Every word first (fast, precise); with too few hits, all words but one; then any. Scoring
"any" means scoring every paper that holds one of the words (50-140 ms at 75k papers for
common words), so it comes last: most short queries stop earlier. The SQL for each database
is storage's (`storage/keyword_index.py`).
"""

from __future__ import annotations

from dailypapers.domain.search import SearchFilters
from dailypapers.storage.keyword_index import KeywordIndex, Match


def keyword_matches(
    index: KeywordIndex,
    terms: list[str],
    filters: SearchFilters,
    n: int,
    *,
    min_and_hits: int,
) -> tuple[list[tuple[str, float]], Match]:
    """Up to `n` (arxiv_id, score) pairs, best first, from the strictest match that has
    at least `min_and_hits` of them (or `n`, if fewer), and which match that was."""
    enough = min(min_and_hits, n)
    match: Match = "all"
    found = index.keyword(terms, match=match, filters=filters, limit=n)
    if len(found) < enough and len(terms) >= 3:
        match = "most"
        found = index.keyword(terms, match=match, filters=filters, limit=n)
    if len(found) < enough and len(terms) >= 2:
        match = "any"
        found = index.keyword(terms, match=match, filters=filters, limit=n)
    return found, match
