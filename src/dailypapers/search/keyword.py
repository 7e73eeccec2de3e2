"""The keyword leg of a search: which matches to ask the keyword index for, and in what order.

Every word first (fast, precise); with too few hits, all words but one; then any. Scoring
"any" means scoring every paper that holds one of the words (50-140 ms at 75k papers for
common words), so it comes last: most short queries stop earlier. Quoted phrases and
`-exclusions` (and `author:` names) are not relaxed: every step requires them. The SQL for
each database is storage's (`storage/keyword_index.py`).
"""

from __future__ import annotations

from dailypapers.domain.search import QueryParts, SearchFilters
from dailypapers.storage.keyword_index import KeywordIndex, Match


def keyword_matches(
    index: KeywordIndex,
    parts: QueryParts,
    filters: SearchFilters,
    n: int,
    *,
    min_and_hits: int,
) -> tuple[list[tuple[str, float]], set[str]]:
    """Up to `n` (arxiv_id, score) pairs, best first, from the strictest match that has
    at least `min_and_hits` of them (or `n`, if fewer), and the ids among them that hold
    every word. The query's phrases and exclusions hold at every step."""
    terms, enough = parts.terms, min(min_and_hits, n)

    def ask(match: Match) -> list[tuple[str, float]]:
        return index.keyword(
            terms,
            match=match,
            filters=filters,
            limit=n,
            phrases=parts.phrases,
            excluded=parts.excluded,
            authors=parts.authors,
        )

    found = ask("all")
    every_word = {a for a, _ in found}
    if len(found) < enough and len(terms) >= 3:
        found = ask("most")
    if len(found) < enough and len(terms) >= 2:
        found = ask("any")
    return found, every_word
