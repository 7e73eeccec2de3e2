"""The one place that knows SQL for keyword search: SQLite FTS5 and PostgreSQL tsvector.

Keyword retrieval is BM25-style ranking inside the database, so it is transactional with the
papers and needs no other server: SQLite's FTS5 `bm25()` over a contentless index of title,
abstract, HF keywords and authors, each a column with its own weight (porter stemming;
migration 0014), PostgreSQL's tsvector (title weight A, abstract B, keywords C, authors D)
with `ts_rank`. Both take the same input: a list of plain
words, matched all together ("all"), all but one of them ("most": for three or more words),
or any of them ("any"), and optionally phrases every hit holds (`"chain of thought"`) and
words or phrases no hit holds (`-vision`): FTS5 phrase strings joined by AND / NOT,
`phraseto_tsquery` joined by `&&` / `!!` on PostgreSQL. There is one class per database
(`Fts5KeywordIndex` here, `TsvectorKeywordIndex` in storage/tsvector_index.py); the search
engine (`dailypapers.search`) picks one and decides which match to ask for when. User text
never reaches MATCH or tsquery syntax unquoted: every term and phrase is quoted (FTS5) or
stripped to letters and digits (tsquery), so `"`, `*`, `-`, `:`, `(`, `NEAR`, `OR` in a term
are just text.

Speed (SQLite, 74.7k arXiv papers, bench/search_bench.py): "all" p50 2.6 ms; "most" p50
4.8 ms; "any" p50 51 ms, p95 139 ms (it scores every paper holding any of the words), so the
engine asks "all" first, then "most", and "any" last. The ranking runs inside FTS5
(`ORDER BY rank` with the weights configured on the table, in a LIMITed subquery), which
is 40% faster than ordering a join by `bm25()`.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dailypapers.domain.papers import Paper
from dailypapers.domain.search import Phrase, SearchFilters
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PAPER_COLUMNS, paper_from_row
from dailypapers.storage.search_filters import filter_clauses
from dailypapers.storage.tables import FTS_TABLE, FTS_TEXT_VIEW, papers

Match = Literal["all", "most", "any"]

# bm25() column weights (title 2, abstract 1, keywords 6, authors 1) are FTS5's `rank`
# setting, made in migration 0014. Title 2: on SciFact train it beat equal weights (nDCG@10
# 0.705 vs 0.701); 4:1 gained 0.004 more there but lost 0.01 on CACM. Keywords 6: on the
# short-query tune split keyword search went 0.886 (0) 0.906 (0.5) 0.920 (1) 0.934 (2)
# 0.943 (4) 0.945 (6) 0.947 (10); those queries are made from the keywords, so they reward
# the field without end, and 6 is the smallest weight within 0.002 of the best seen. Authors
# 2 (migration 0015; the dev set's author and phrase queries: 0.5 0.860, 1 0.863, 2 0.865,
# 4 0.865, the other queries unchanged). Computed keyphrases share the abstract's column.

_NON_WORD = re.compile(r"[^\w]+|_+")
# The same condition as ix_papers_hidden's (tables.py), so both databases read that index.
_HIDDEN = sa.select(papers.c.arxiv_id).where(papers.c.hidden == sa.true())


def all_but_one(items: Sequence[str]) -> list[list[str]]:
    return [[t for j, t in enumerate(items) if j != i] for i in range(len(items))]


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_match(
    terms: Sequence[str],
    match: Match,
    phrases: Sequence[Phrase] = (),
    excluded: Sequence[Phrase] = (),
    authors: Sequence[Phrase] = (),
) -> str:
    """An FTS5 MATCH expression for plain words: each a quoted string, joined by AND/OR.

    Inside FTS5 double quotes everything but `"` is literal, and `""` is a quote, so any
    text is safe here; the porter tokenizer still stems the quoted words, and a quoted string
    of several words is a phrase. "most" is an OR of the AND of every set of all words but
    one. Phrases, and author names (phrases in the `authors` column), are ANDed to that,
    exclusions cut from it with NOT.
    """
    quoted = [_fts5_string(t) for t in terms if t.strip()]
    if match == "most" and len(quoted) >= 3:
        expression = " OR ".join("(" + " AND ".join(g) + ")" for g in all_but_one(quoted))
    else:
        expression = (" AND " if match == "all" else " OR ").join(quoted)
    required = [_fts5_string(" ".join(p)) for p in phrases if "".join(p).strip()]
    required += [f"authors : {_fts5_string(' '.join(a))}" for a in authors if "".join(a).strip()]
    if expression and required:
        expression = " AND ".join([f"({expression})", *required])
    banned = [_fts5_string(" ".join(p)) for p in excluded if "".join(p).strip()]
    if expression and banned:
        expression = f"({expression}) NOT ({' OR '.join(banned)})"
    return expression


def plain_words(terms: Sequence[str]) -> list[str]:
    return [w for t in terms for w in _NON_WORD.split(t) if w and w.lower() != "or"]


class KeywordIndex:
    """What both keyword backends share: the call shape, and the papers their hits point at."""

    def __init__(self, db: Database) -> None:
        self.db = db

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
        """The best `limit` visible papers for `terms`: (arxiv_id, score), best first; each
        holds every phrase in `phrases` and none in `excluded`, and has an author matching
        each name in `authors`.

        Scores are higher-is-better within one call (FTS5's bm25 is negated).
        """
        if not terms or limit <= 0:
            return []
        query = self._query(terms, match, filters, limit, phrases, excluded, authors)
        if query is None:
            return []
        with self.db.read() as conn:
            return [(r.arxiv_id, float(r.score)) for r in conn.execute(query)]

    def passing(
        self,
        ids: Sequence[str],
        phrases: Sequence[Phrase],
        excluded: Sequence[Phrase],
        authors: Sequence[Phrase] = (),
    ) -> set[str]:
        """Which of `ids` hold every phrase in `phrases` and none in `excluded`, and have
        an author matching each of `authors` (for candidates found by their vectors)."""
        keep = set(ids)
        if keep and phrases:
            keep &= self._holding(list(keep), phrases, every=True)
        if keep and authors:
            keep &= self._holding(list(keep), authors, every=True, column="authors")
        if keep and excluded:
            keep -= self._holding(list(keep), excluded, every=False)
        return keep

    def _holding(
        self, ids: list[str], phrases: Sequence[Phrase], *, every: bool, column: str | None = None
    ) -> set[str]:
        """Which of `ids` hold every (or any) of `phrases`, anywhere or in `column`."""
        raise NotImplementedError

    def _query(
        self,
        terms: Sequence[str],
        match: Match,
        filters: SearchFilters,
        limit: int,
        phrases: Sequence[Phrase],
        excluded: Sequence[Phrase],
        authors: Sequence[Phrase],
    ) -> sa.Executable | None:
        raise NotImplementedError

    def optimize(self) -> None:
        """Compact the index after bulk writes (a no-op where the database does it)."""

    def rebuild(self) -> None:
        """Re-derive the index from the papers table (a no-op where it can't drift)."""

    def hidden_papers(self) -> set[str]:
        """Every hidden paper's id: few, and read from their own index (`ix_papers_hidden`).

        The in-memory vectors drop these from their nearest papers. Asking which of a
        hundred ids are visible cost ~2 ms a search (an IN list of a hundred parameters,
        expanded and bound each time); this statement has none and reads a handful of rows.
        """
        with self.db.read() as conn:
            return set(conn.execute(_HIDDEN).scalars())

    def count(self) -> int:
        """Visible papers (how much of the corpus has a vector is told against this)."""
        query = sa.select(sa.func.count()).select_from(papers).where(papers.c.hidden == sa.false())
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def titles(self, batch: int = 5000) -> Iterator[str]:
        """Every visible paper's title, streamed (the spelling vocabulary is built from them).

        Each batch is a query of its own (paged by id), read whole before it is handed on:
        the caller's work between rows never counts against SQLite's `sql_time_limit_ms`.
        One statement streamed over the whole table did, so on a busy machine the search that
        first built the vocabulary (75k titles) was cut off and answered 503.
        """
        after = ""
        while True:
            query = (
                sa.select(papers.c.arxiv_id, papers.c.title)
                .where(papers.c.hidden == sa.false(), papers.c.arxiv_id > after)
                .order_by(papers.c.arxiv_id)
                .limit(batch)
            )
            with self.db.read() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                yield row.title or ""
            if len(rows) < batch:
                return
            after = rows[-1].arxiv_id

    def papers(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Visible papers by id (hidden ones are left out)."""
        if not ids:
            return {}
        query = sa.select(*PAPER_COLUMNS).where(
            papers.c.arxiv_id.in_(list(ids)), papers.c.hidden == sa.false()
        )
        with self.db.read() as conn:
            return {r.arxiv_id: paper_from_row(r) for r in conn.execute(query)}


class Fts5KeywordIndex(KeywordIndex):
    """SQLite: a contentless FTS5 table ranked by `bm25()` (porter stemming)."""

    def __init__(self, db: Database, versions: DataVersionStore, *, filters_kept: int = 16) -> None:
        super().__init__(db)
        self.filters_kept = filters_kept  # setting search_filter_cache_size
        self._versions = versions
        self._passing: OrderedDict[tuple[SearchFilters, int], dict[int, str]] = OrderedDict()
        self._passing_lock = threading.Lock()

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
        """With a filter, FTS5 ranks every match inside the index, and the ranked rows are
        read only until `limit` of them pass: the best `limit` passing papers, as one query
        joining every match would give, without joining every match to its paper row (a
        category-filtered "any" over 75k papers: ~50 ms that way). Which papers pass is a
        set kept per filter and data version (`passing_papers`), so a row is checked in
        memory. (Ranking the best 400, then 1,600, ... until enough passed, as before, ranked
        every match again at each step: for "any" queries the most costly part of a search.)
        """
        if not filters.active or not terms or limit <= 0:
            return super().keyword(
                terms,
                match=match,
                filters=filters,
                limit=limit,
                phrases=phrases,
                excluded=excluded,
                authors=authors,
            )
        expression = fts5_match(terms, match, phrases, excluded, authors)
        if not expression:
            return []
        passing = self.passing_papers(filters)
        found: list[tuple[float, str]] = []
        with self.db.read() as conn:
            ranked = conn.execute(_FTS5_RANKED, {"expression": expression})
            for rowid, rank in ranked:
                if len(found) >= limit and rank != found[-1][0]:
                    break  # enough, and no tie with the last one taken
                arxiv_id = passing.get(rowid)
                if arxiv_id is not None:
                    found.append((rank, arxiv_id))
            ranked.close()
        found.sort()  # ties by id, as a query ordering by (rank, arxiv_id) would
        return [(arxiv_id, -rank) for rank, arxiv_id in found[:limit]]

    def passing_papers(self, filters: SearchFilters) -> dict[int, str]:
        """Visible papers that pass `filters`, as rowid -> arxiv_id, read once per filter and
        data version (any visible write bumps it; storage/data_version.py). Shared by both
        legs of a filtered search: the in-memory vectors take their positions from it too."""
        key = (filters, self._versions.current())
        with self._passing_lock:
            found = self._passing.get(key)
            if found is not None:
                self._passing.move_to_end(key)
                return found
        rowid = sa.literal_column("papers.rowid")
        query = sa.select(rowid, papers.c.arxiv_id).where(*filter_clauses(filters, "sqlite"))
        with self.db.read() as conn:
            found = dict(conn.execute(query).tuples().all())
        with self._passing_lock:
            for stale in [k for k in self._passing if k[1] != key[1]]:
                del self._passing[stale]  # of an older data version
            self._passing[key] = found
            while len(self._passing) > self.filters_kept:
                self._passing.popitem(last=False)
        return found

    def _query(
        self,
        terms: Sequence[str],
        match: Match,
        filters: SearchFilters,
        limit: int,
        phrases: Sequence[Phrase],
        excluded: Sequence[Phrase],
        authors: Sequence[Phrase],
    ) -> sa.Executable | None:
        expression = fts5_match(terms, match, phrases, excluded, authors)
        if not expression:
            return None
        # Unfiltered (`keyword` takes filtered searches): one statement, built once (below).
        return _FTS5_UNFILTERED.params(
            expression=expression, inner=limit + 10 + limit // 10, n=limit
        )

    def _holding(
        self, ids: list[str], phrases: Sequence[Phrase], *, every: bool, column: str | None = None
    ) -> set[str]:
        prefix = f"{column} : " if column else ""
        expression = (" AND " if every else " OR ").join(
            prefix + _fts5_string(" ".join(p)) for p in phrases
        )
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        query = (
            sa.select(papers.c.arxiv_id)
            .select_from(fts.join(papers, sa.literal_column("papers.rowid") == fts.c.rowid))
            .where(sa.literal_column(FTS_TABLE).op("MATCH")(expression))
            .where(papers.c.arxiv_id.in_(ids))
        )
        with self.db.read() as conn:
            return set(conn.execute(query).scalars())

    def optimize(self) -> None:
        """Merge SQLite's FTS5 segments into one (bulk imports leave thousands): AND queries
        get ~30% faster (p50 2.7 -> 1.9 ms at 75k papers); takes ~1 s per 75k papers,
        holding the write lock."""
        with self.db.write() as conn:
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")

    def rebuild(self) -> None:
        """Re-derive SQLite's FTS5 index from papers (after a VACUUM renumbered rowids)."""
        with self.db.write() as conn:
            rebuild_fts(conn)


# Every match of an FTS5 expression, ranked inside the index, best first (read as needed).
_FTS5_RANKED = sa.text(
    f"SELECT rowid, rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :expression ORDER BY rank"
)


def _unfiltered_fts5() -> sa.Select:
    """FTS5 ranks and cuts inside the index (a few spare rows cover hidden papers); built
    once, so each search only binds its expression (saves ~1 ms of statement building)."""
    fts = sa.table(FTS_TABLE, sa.column("rowid"), sa.column("rank"))
    ranked = (
        sa.select(fts.c.rowid, fts.c.rank)
        .where(sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("expression")))
        .order_by(fts.c.rank)
        .limit(sa.bindparam("inner", type_=sa.Integer))
        .subquery("f")
    )
    return (
        sa.select(papers.c.arxiv_id, (-ranked.c.rank).label("score"))
        .select_from(ranked.join(papers, sa.literal_column("papers.rowid") == ranked.c.rowid))
        .where(papers.c.hidden == sa.false())
        .order_by(ranked.c.rank)
        .limit(sa.bindparam("n", type_=sa.Integer))
    )


_FTS5_UNFILTERED = _unfiltered_fts5()


def rebuild_fts(conn: Connection) -> None:
    """Re-derive SQLite's contentless FTS5 index from the papers, through the view that
    assembles each field's text (migration 0014): empty it, then index every paper."""
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    conn.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE}(rowid, title, abstract, keywords, authors) "
        f"SELECT paper_rowid, title, abstract, keywords, authors FROM {FTS_TEXT_VIEW}"
    )
