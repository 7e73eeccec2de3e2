"""PostgreSQL's keyword search: a GIN-indexed, weighted tsvector ranked by `ts_rank`.

The SQLite half, the shared call shape and the query rules (all / most / any, phrases,
exclusions, authors) are in storage/keyword_index.py; this module holds what only
PostgreSQL needs: the tsquery built from those rules, the `ts_rank` weights, and the bound on
how many matches one query ranks (`search_keyword_rank_limit`), which keeps a common word
cheap at a million papers (docs/scale-out.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dailypapers.domain.search import Phrase, SearchFilters
from dailypapers.storage.database import Database
from dailypapers.storage.keyword_index import KeywordIndex, Match, all_but_one, plain_words
from dailypapers.storage.search_filters import filter_clauses
from dailypapers.storage.tables import papers

# ts_rank weights {D, C, B, A} = {authors, keywords, abstract, title}: keywords as much as
# the title, not 3x (ts_rank takes weights of at most 1 and, unlike bm25, does not saturate:
# at 3x, papers holding a few of a pasted title's words in their keywords outranked the
# title's own paper, tests/integration/test_bulk_import.py).
_PG_WEIGHTS = "{0.4, 1.0, 0.5, 1.0}"


def tsquery_text(terms: Sequence[str], match: Match) -> str:
    """Input for `websearch_to_tsquery`: words only (its operators can't appear), AND/OR."""
    return (" " if match == "all" else " or ").join(plain_words(terms))


class TsvectorKeywordIndex(KeywordIndex):
    """PostgreSQL: a GIN-indexed tsvector column ranked by `ts_rank` (english stemming).
    Its GIN index needs no upkeep (autovacuum), so `optimize` and `rebuild` do nothing.

    At most `rank_limit` matches of a query are ranked (setting `search_keyword_rank_limit`):
    ts_rank reads each match's tsvector, and a common word matches a large share of the
    papers (1M papers: "learning" 341k, 6 s to rank). Only the first `rank_limit` matches
    in table order are ranked: a query with fewer matches ranks exactly as before, one with
    more ranks a sample of them, which may miss its best papers (docs/scale-out.md has the
    figures: the evaluation sets lose nothing at 2,000, where the bound never bites, and
    a lot where it does).
    """

    def __init__(self, db: Database, rank_limit: int = 2_000) -> None:
        super().__init__(db)
        self.rank_limit = rank_limit

    def keyword(
        self,
        terms: Sequence[str],
        *,
        match: Match = "all",
        filters: SearchFilters = SearchFilters(),
        limit: int = 100,
        phrases: Sequence[Phrase] = (),
        excluded: Sequence[Phrase] = (),
        authors: Sequence[Phrase] = (),
    ) -> list[tuple[str, float]]:
        """As `KeywordIndex.keyword`, the matches bounded by `rank_limit`; an "any" query
        takes its candidates from its rarest words (`_rarest`) and scores them on all."""
        words = plain_words(terms)
        if not words or limit <= 0:
            return []
        with self.db.read() as conn:
            # Which matches come first in table order must not depend on other queries: a
            # common word's matches are found by scanning the table (the planner's choice
            # under the LIMIT, and at 1M papers the faster one: 43 vs 272 ms for "learning"),
            # and a scan synchronised with a concurrent one starts wherever that one is.
            conn.exec_driver_sql("SET LOCAL synchronize_seqscans = off")
            chosen = self._rarest(conn, words) if match == "any" and len(words) > 1 else words
            query = self._statement(
                words, chosen, match, filters, limit, phrases, excluded, authors
            )
            return [(r.arxiv_id, float(r.score)) for r in conn.execute(query)]

    def _rarest(self, conn: Connection, words: list[str]) -> list[str]:
        """The rarest of `words` (at least one) whose papers together stay within
        `rank_limit`, by the planner's statistics of the column (each stemmed word's share
        of the papers, pg_stats' most_common_elems; a word not listed is rarer than those
        that are): the papers an "any" query ranks are those holding its rarest words, as
        BM25's IDF would weigh them. Without statistics (a table never analysed) every
        word counts as rare and all are kept: the query is unchanged."""
        shares = {w: float(f) for w, f in conn.execute(_WORD_SHARES, {"words": words})}
        total = float(conn.execute(_PAPERS_ESTIMATE).scalar() or 0)
        chosen: list[str] = []
        share = 0.0
        for word in sorted((w for w in words if w in shares), key=lambda w: shares[w]):
            if chosen and (share + shares[word]) * total > self.rank_limit:
                break
            chosen.append(word)
            share += shares[word]
        return chosen or words

    def _statement(
        self,
        words: list[str],
        chosen: list[str],
        match: Match,
        filters: SearchFilters,
        limit: int,
        phrases: Sequence[Phrase],
        excluded: Sequence[Phrase],
        authors: Sequence[Phrase],
    ) -> sa.Select:
        """The first `rank_limit` papers matching `chosen` (and the phrases, names and
        exclusions), scored by ts_rank against all `words`."""
        tsquery = _tsquery(words, match, phrases, excluded, authors)
        candidates = (
            tsquery if chosen == words else _tsquery(chosen, match, phrases, excluded, authors)
        )
        vector = sa.literal_column("papers.search_vector")
        matches = (
            sa.select(papers.c.arxiv_id, vector.label("search_vector"))
            .where(vector.op("@@")(candidates))
            .where(*filter_clauses(filters, "postgresql"))
            .limit(max(self.rank_limit, limit))
            .subquery("matches")
        )
        score = sa.func.ts_rank(
            sa.literal_column(f"'{_PG_WEIGHTS}'::float4[]"), matches.c.search_vector, tsquery
        )
        return (
            sa.select(matches.c.arxiv_id, score.label("score"))
            .order_by(score.desc(), matches.c.arxiv_id)
            .limit(limit)
        )

    def _holding(
        self, ids: list[str], phrases: Sequence[Phrase], *, every: bool, column: str | None = None
    ) -> set[str]:
        queries = _author_queries(phrases) if column == "authors" else _phrase_queries(phrases)
        if not queries:
            return set(ids) if every else set()
        tsquery = queries[0]
        for other in queries[1:]:
            tsquery = tsquery.op("&&" if every else "||")(other)
        query = sa.select(papers.c.arxiv_id).where(
            sa.literal_column("papers.search_vector").op("@@")(tsquery),
            papers.c.arxiv_id.in_(ids),
        )
        with self.db.read() as conn:
            return set(conn.execute(query).scalars())


_ENGLISH = sa.literal_column("'english'::regconfig")
# Each word's share of the papers by the column's statistics (0 for a word not among its
# most common lexemes); a stopword has no lexeme and no row.
_WORD_SHARES = sa.text(
    """WITH stats AS (
        SELECT e.lexeme, e.share FROM pg_stats AS s,
            unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
            AS e(lexeme, share)
        WHERE s.schemaname = current_schema() AND s.tablename = 'papers'
            AND s.attname = 'search_vector')
    SELECT w.word, coalesce(max(stats.share), 0) FROM unnest(CAST(:words AS text[])) AS w(word)
        CROSS JOIN LATERAL unnest(to_tsvector('english', w.word)) AS t
        LEFT JOIN stats ON stats.lexeme = t.lexeme
    GROUP BY w.word"""
)
_PAPERS_ESTIMATE = sa.text("SELECT reltuples FROM pg_class WHERE oid = 'papers'::regclass")


def _phrase_queries(phrases: Sequence[Phrase]) -> list[sa.ColumnElement]:
    """`phraseto_tsquery` of each phrase, its words stripped to letters and digits."""
    texts = [" ".join(plain_words(p)) for p in phrases]
    return [sa.func.phraseto_tsquery(_ENGLISH, t) for t in texts if t]


def _author_queries(authors: Sequence[Phrase]) -> list[sa.ColumnElement]:
    """Each name as a phrase of words in the authors field (weight D): `yann:D <-> lecun:D`,
    its words stripped to letters and digits, so no tsquery syntax gets through."""
    texts = [" <-> ".join(f"{w}:D" for w in plain_words(a)) for a in authors]
    return [sa.func.to_tsquery(_ENGLISH, t) for t in texts if t]


def _tsquery(
    words: list[str],
    match: Match,
    phrases: Sequence[Phrase],
    excluded: Sequence[Phrase],
    authors: Sequence[Phrase],
) -> sa.ColumnElement:
    """A tsquery of plain words (all, all but one, or any), ANDed with the phrases and
    author names and with none of the exclusions."""
    if match == "most" and len(words) >= 3:
        groups = [sa.func.websearch_to_tsquery(_ENGLISH, " ".join(g)) for g in all_but_one(words)]
        tsquery = groups[0]
        for group in groups[1:]:
            tsquery = tsquery.op("||")(group)
    else:
        tsquery = sa.func.websearch_to_tsquery(_ENGLISH, tsquery_text(words, match))
    for phrase in _phrase_queries(phrases) + _author_queries(authors):
        tsquery = tsquery.op("&&")(phrase)
    for phrase in _phrase_queries(excluded):
        tsquery = tsquery.op("&&")(sa.func.tsquery_not(phrase))
    return tsquery
