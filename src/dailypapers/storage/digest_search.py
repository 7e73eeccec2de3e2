"""New papers for digests and feeds: by arXiv category, and a keyword stand-in for search.

`KeywordDigestSearch` implements `SearchForDigest` (domain/digests.py) with case-insensitive
substring matching over titles and abstracts, scored by the share of the query's words found
(0..1, so a saved search's minimum score reads as "at least this share of my words").
It is a stop-gap: once the hybrid search service lands, bootstrap wires an adapter around it
instead and nothing else changes.

"Recent" means featured on a daily page on/after the day of `since`, or published on/after
`since`. Hidden papers never appear.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from dailypapers.domain.digests import QueryHit
from dailypapers.domain.papers import Paper
from dailypapers.domain.search import Span, query_terms
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.tables import daily_entries, papers

_UPVOTES = papers.c.external_upvotes + papers.c.local_upvotes


def _recent(since: datetime | None, until: datetime | None = None) -> list[sa.ColumnElement[bool]]:
    """Visible papers published in [since, until] or featured on a day in that range."""
    where: list[sa.ColumnElement[bool]] = [papers.c.hidden == sa.false()]
    if since is None and until is None:
        return where
    published, days = [], [daily_entries.c.hidden == sa.false()]
    if since is not None:
        published.append(papers.c.published_at >= since)
        days.append(daily_entries.c.day >= since.date())
    if until is not None:
        published.append(papers.c.published_at <= until)
        days.append(daily_entries.c.day <= until.date())
    featured = sa.select(daily_entries.c.arxiv_id).where(*days)
    where.append(sa.or_(sa.and_(*published), papers.c.arxiv_id.in_(featured)))
    return where


def _word_spans(text: str, terms: list[str]) -> dict[str, list[Span]]:
    """Where each term starts a word in `text` (so "transformer" finds "Transformers")."""
    found: dict[str, list[Span]] = {}
    for term in terms:
        spans = [
            Span(m.start(), m.end())
            for m in re.finditer(rf"(?<![^\W_]){re.escape(term)}[^\W_]*", text, re.IGNORECASE)
        ]
        if spans:
            found[term] = spans
    return found


def _position(span: Span) -> tuple[int, int]:
    return span.start, span.end


class KeywordDigestSearch:
    """SearchForDigest by keywords: a stand-in for the hybrid search service."""

    def __init__(self, db: Database, papers_store: PaperStore, *, max_candidates: int = 2000):
        self.db = db
        self.papers = papers_store
        self.max_candidates = max_candidates

    def search(self, query: str, since: datetime | None, limit: int) -> list[QueryHit]:
        terms = query_terms(query)
        if not terms or limit <= 0:
            return []
        match = sa.or_(
            *[
                sa.or_(papers.c.title.ilike(f"%{term}%"), papers.c.abstract.ilike(f"%{term}%"))
                for term in terms
            ]
        )
        rows_query = (
            sa.select(papers.c.arxiv_id, papers.c.title, papers.c.abstract, _UPVOTES.label("up"))
            .where(*_recent(since), match)
            .order_by(papers.c.published_at.desc().nulls_last(), papers.c.arxiv_id.desc())
            .limit(self.max_candidates)
        )
        with self.db.read() as conn:
            rows = conn.execute(rows_query).all()
        scored = []
        for row in rows:
            in_title = _word_spans(row.title, terms)
            in_abstract = _word_spans(row.abstract, terms)
            matched = set(in_title) | set(in_abstract)
            if not matched:
                continue
            score = len(matched) / len(terms)
            title_spans = sorted((s for v in in_title.values() for s in v), key=_position)
            abstract_spans = sorted((s for v in in_abstract.values() for s in v), key=_position)
            scored.append((-score, -(row.up or 0), row.arxiv_id, title_spans, abstract_spans))
        scored.sort(key=lambda t: (t[0], t[1], t[2]))
        best = scored[:limit]
        found = self.papers.get_many([t[2] for t in best])
        return [
            QueryHit(found[arxiv_id], -neg_score, title_spans, abstract_spans)
            for neg_score, _, arxiv_id, title_spans, abstract_spans in best
            if arxiv_id in found
        ]


class CategoryPapers:
    """Recent papers listed in an arXiv category (primary or cross-listed)."""

    def __init__(self, db: Database, papers_store: PaperStore) -> None:
        self.db = db
        self.papers = papers_store

    def recent(
        self,
        category: str,
        since: datetime | None,
        limit: int,
        *,
        until: datetime | None = None,
        newest_first: bool = False,
    ) -> list[Paper]:
        """Most upvoted first, then newest (or newest first). `category` must be validated
        (letters, `-`, `.`): it is matched as a quoted JSON string inside the stored list,
        which reads the same on both databases."""
        listed = sa.cast(papers.c.categories, sa.Text).like(f'%"{category}"%')
        newest = [papers.c.published_at.desc().nulls_last(), papers.c.arxiv_id.desc()]
        query = (
            sa.select(papers.c.arxiv_id)
            .where(*_recent(since, until), listed)
            .order_by(*(newest if newest_first else [_UPVOTES.desc(), *newest]))
            .limit(limit)
        )
        with self.db.read() as conn:
            ids = list(conn.execute(query).scalars())
        found = self.papers.get_many(ids)
        return [found[i] for i in ids if i in found]
