"""The hybrid search engine: keyword + vectors, fused, each hit with its rationale.

Hybrid search, as measured on SciFact train (nDCG@10; `dailypapers eval beir`, docs/search.md):
1. keyword: BM25 in the database (every word; too few hits: all words but one; then any),
   up to `search_candidates` papers;                                                  0.705
2. semantic: the `search_semantic_candidates` papers whose vectors are nearest the query's;
3. every candidate of either list gets a semantic score: the mean of its paper cosine and
   its best sentence's cosine (sentence vectors are stored; the title counts as one);
   semantic alone, ranked so:                                                         0.683
   (one vector per "title. abstract" text, cosine only: 0.660)
4. fusion: z-scores of keyword and semantic scores over the candidates, combined with
   weight `search_keyword_weight` (0.35) on keyword;                                  0.751
   (reciprocal rank fusion of the same lists: 0.733; of plain cosine and bm25: 0.716);
   short queries weigh keyword 0.95, keyword lists 0.8 and quoted phrases alone 0
   (search/query_shape.py;
   short-query tune split, `tools/tune_short_fusion.py`), and a paper with no vector yet
   counts on keywords alone;
5. the floors: a paper that holds only some of the words and is below
   `search_semantic_floor` is dropped (SciFact: no loss at 0.35), and a query with no paper
   holding every word and none reaching `search_query_floor` finds nothing, so nonsense
   says "no results" (docs/search.md).
Quoted phrases, -exclusions and `author:` names (`parse_query`) bind both legs; `cat:` in
the query is the category filter (when the request sets none). A pasted arXiv id or URL, or an
exact title, goes first in every mode (search/exact.py).
The keyword leg runs in a worker thread while the query is embedded and the vectors
searched. Before any paper has a vector (or when the model can't run) searches run
keyword-only and say so in `SearchPage.mode_used` and `notice`.

`build_engine` (search/backends.py) is the one place that chooses the backends for a
database. The engine takes valid requests; checking them against the settings is the search
use case's job (services/search.py).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from dailypapers.config import SearchSettings
from dailypapers.domain.papers import Paper
from dailypapers.domain.search import (
    QueryParts,
    SearchFilters,
    SearchHit,
    SearchMode,
    SearchPage,
    SearchSort,
    SimilarPaper,
    Span,
    parse_query,
)
from dailypapers.errors import DailyPapersError, NotFound
from dailypapers.search.exact import MIN_TITLE_WORDS, TITLE_CANDIDATES, named_paper, title_key
from dailypapers.search.fusion import normalised_fusion, ranked
from dailypapers.search.keyword import keyword_matches
from dailypapers.search.query_shape import keyword_weight
from dailypapers.search.rationale import best_sentence, explain, similar_reason
from dailypapers.search.recipe import EmbedderSource
from dailypapers.search.spelling import Vocabulary
from dailypapers.search.vector_search import VectorSearch
from dailypapers.storage.embeddings import EmbeddingStore
from dailypapers.storage.keyword_index import KeywordIndex

SENTENCE_WEIGHT = 0.5  # semantic score = (1 - w) * whole-paper cosine + w * best sentence
QUERY_CACHE_SIZE = 256
NO_VECTORS = (
    "Semantic search is not available yet: no paper has been embedded "
    "(run `dailypapers index`). Showing keyword matches."
)


@dataclass(slots=True)
class _Candidate:
    arxiv_id: str
    keyword: float | None = None  # bm25-style score, higher is better
    keyword_rank: int | None = None
    every_word: bool = False  # the keyword index matched every query word
    semantic_rank: int | None = None
    cosine: float | None = None  # whole paper
    sentence_cosine: float | None = None  # best sentence (title included)
    sentence: Span | None = None  # best abstract sentence
    sentence_similarity: float | None = None
    score: float = 0.0

    @property
    def semantic(self) -> float | None:
        if self.cosine is None:
            return self.sentence_cosine
        if self.sentence_cosine is None:
            return self.cosine
        return (1 - SENTENCE_WEIGHT) * self.cosine + SENTENCE_WEIGHT * self.sentence_cosine

    @property
    def similarity(self) -> float | None:
        """The best cosine of the query to the paper or one of its sentences."""
        known = [s for s in (self.cosine, self.sentence_cosine) if s is not None]
        return max(known) if known else None

    def close_enough(self, floor: float) -> bool:
        """Kept by the semantic floor: it holds every query word, or is close in meaning.

        A paper that holds only some of the words and has no vector yet can't show that it
        is close, so it waits for its vector (keyword mode still finds it).
        """
        similarity = self.similarity
        return floor <= 0 or self.every_word or (similarity is not None and similarity >= floor)


@dataclass(frozen=True, slots=True)
class SearchStatus:
    model: str
    embedded: int  # papers with a vector for the model
    semantic_available: bool


@dataclass(slots=True)
class _Ranking:
    candidates: list[_Candidate]
    mode_used: SearchMode
    notice: str | None
    query_vector: np.ndarray | None
    embedded_fraction: float | None = None
    # The keyword leg's best TITLE_CANDIDATES ids, before the floors (None: it didn't run,
    # as in semantic mode): where `_exact_first` looks for a pasted title.
    keyword_top: list[str] | None = None


class SearchEngine:
    def __init__(
        self,
        settings: SearchSettings,
        keyword_index: KeywordIndex,
        embeddings: EmbeddingStore,
        vectors: VectorSearch,
        embedders: EmbedderSource,
        *,
        page_size: int,
    ) -> None:
        self.settings = settings
        self.page_size = page_size
        self.keyword_index = keyword_index
        self.embeddings = embeddings
        self.vectors = vectors
        self.embedders = embedders
        self.vocabulary = Vocabulary(keyword_index.titles, settings.search_vocabulary_refresh_s)
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-keyword")
        self._papers_count: tuple[float, int] = (float("-inf"), 0)

    # --- public ---------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """The embedding model whose vectors this engine searches."""
        return self.embedders.model

    def status(self) -> SearchStatus:
        embedded = self.vectors.count()
        return SearchStatus(self.vectors.model, embedded, embedded > 0)

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
        """One page of results for a checked request; `page` counts from 0.

        `explain_hits=False` skips the rationales (evaluation runs, which only need ids).
        """
        started = time.perf_counter()
        filters = filters or SearchFilters()
        query = (query or "").strip()
        limit = self.page_size if limit is None else limit
        parts = parse_query(query)
        terms = parts.terms
        if not terms:
            return SearchPage(
                query,
                mode,
                "keyword",
                sort,
                filters,
                [],
                0,
                page,
                limit,
                notice="Type a word or two to search for.",
                took_ms=_ms(started),
            )
        if parts.categories and not filters.category:  # `cat:cs.CL` in the query
            filters = replace(filters, category=parts.categories[0])
        text = parts.text or " ".join(parts.terms)  # without `author:`/`cat:`: embedded
        ranking = self._rank(text, parts, mode, filters)
        opened, known = self._exact_first(text, parts, filters, ranking)
        # No paper holds the words: maybe they are misspelt ("Did you mean …?").
        suggestion = None
        if not any(c.keyword_rank is not None for c in ranking.candidates):
            suggestion = self.vocabulary.suggest(query, terms)
        candidates = ranking.candidates[: self.settings.search_max_results]
        total = len(candidates)
        papers: dict[str, Paper] = {}
        if sort != "relevance":
            papers = self.keyword_index.papers([c.arxiv_id for c in candidates])
            candidates = [c for c in candidates if c.arxiv_id in papers]
            candidates.sort(key=_sort_key(sort, papers))
            total = len(candidates)
        window = candidates[page * limit : (page + 1) * limit]
        if sort == "relevance":  # the papers `_exact_first` loaded are not read again
            papers = {a: known[a] for a in (c.arxiv_id for c in window) if a in known}
            papers |= self.keyword_index.papers(
                [c.arxiv_id for c in window if c.arxiv_id not in known]
            )
        if explain_hits and ranking.query_vector is not None:
            self._rationale_sentences(ranking.query_vector, window)
        hits = [
            self._hit(c, papers[c.arxiv_id], terms, explain_hits)
            for c in window
            if c.arxiv_id in papers
        ]
        return SearchPage(
            query,
            mode,
            ranking.mode_used,
            sort,
            filters,
            hits,
            total,
            page,
            limit,
            notice=ranking.notice,
            took_ms=_ms(started),
            suggestion=suggestion,
            embedded_fraction=ranking.embedded_fraction,
            opened=opened,
        )

    def similar(self, arxiv_id: str, *, limit: int = 6) -> list[SimilarPaper]:
        """Nearest papers to a paper by embedding, each with a one-line reason.

        Empty while the paper has no vector yet; NotFound if there is no such visible paper.
        """
        found = self.keyword_index.papers([arxiv_id])
        if arxiv_id not in found:
            raise NotFound(f"paper {arxiv_id} is not in this database")
        neighbours = self.vectors.neighbours(arxiv_id, limit)
        papers = self.keyword_index.papers([a for a, _ in neighbours])
        paper = found[arxiv_id]
        return [
            SimilarPaper(papers[a], s, similar_reason(paper, papers[a], s))
            for a, s in neighbours
            if a in papers
        ]

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding (cached: paging through results embeds a query once)."""
        with self._queries_lock:
            cached = self._queries.get(query)
            if cached is not None:
                self._queries.move_to_end(query)
                return cached
        vector = self.embedders.get().encode_query(query)
        with self._queries_lock:
            self._queries[query] = vector
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return vector

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def forget_queries(self) -> None:
        with self._queries_lock:
            self._queries.clear()

    def invalidate(self) -> None:
        """Vectors changed in this process (the indexing job): look again on the next query."""
        self.vectors.invalidate()

    def wait_for_vector_index(self, timeout: float | None = None) -> bool:
        """Block until the current vectors are searched by the index they get (an HNSW graph
        past `vector_index_exact_limit` on SQLite), not by the exact pass that answers while
        it is built: an evaluation measures what a settled process serves."""
        return self.vectors.wait_for_graph(timeout)

    def optimize_keyword_index(self) -> None:
        self.keyword_index.optimize()

    def rebuild_keyword_index(self) -> None:
        self.keyword_index.rebuild()

    # --- ranking --------------------------------------------------------------------------
    def _rank(
        self, query: str, parts: QueryParts, mode: SearchMode, filters: SearchFilters
    ) -> _Ranking:
        query_vector, notice = None, None
        keyword_leg = None
        if mode != "keyword":
            if self.vectors.empty():
                notice = NO_VECTORS
            else:
                if mode == "hybrid":  # SQLite/PostgreSQL work while the model and numpy do
                    keyword_leg = self._pool.submit(
                        self._keyword, parts, filters, self.settings.search_candidates
                    )
                try:
                    query_vector = self.query_vector(query)
                except DailyPapersError as exc:  # EmbedderUnavailable
                    notice = (
                        f"Semantic search is unavailable ({exc.message}). Showing keyword matches."
                    )
        if query_vector is None:
            keyword = self._keyword(parts, filters, self.settings.search_max_results)
            top = [c.arxiv_id for c in keyword[:TITLE_CANDIDATES]]
            return _Ranking(keyword, "keyword", notice, None, keyword_top=top)
        # Below 1.0 while `dailypapers index` catches up: said in `SearchPage.embedded_fraction`
        # (the API's), as the rest are ranked on their words alone.
        embedded = self._embedded_fraction()
        if mode == "hybrid":
            semantic = self.vectors.search(
                query_vector, self.settings.search_semantic_candidates, filters
            )
            keyword = keyword_leg.result()
        else:
            semantic = self.vectors.search(query_vector, self.settings.search_candidates, filters)
            keyword = []
        if parts.constrained and semantic:  # phrases and exclusions bind the vectors' finds too
            passing = self.keyword_index.passing(
                [a for a, _ in semantic], parts.phrases, parts.excluded, parts.authors
            )
            semantic = [(a, s) for a, s in semantic if a in passing]
        by_id: dict[str, _Candidate] = {c.arxiv_id: c for c in keyword}
        for rank, (arxiv_id, cosine) in enumerate(semantic, start=1):
            candidate = by_id.setdefault(arxiv_id, _Candidate(arxiv_id))
            candidate.semantic_rank, candidate.cosine = rank, cosine
        missing = [a for a, c in by_id.items() if c.cosine is None]
        for arxiv_id, cosine in self.vectors.similarities(query_vector, missing).items():
            by_id[arxiv_id].cosine = cosine
        for arxiv_id, best in self._best_sentences(query_vector, list(by_id)).items():
            by_id[arxiv_id].sentence_cosine = best
        candidates = list(by_id.values())
        if mode == "hybrid":
            fused = normalised_fusion(
                {c.arxiv_id: c.keyword for c in candidates if c.keyword is not None},
                {c.arxiv_id: c.semantic for c in candidates if c.semantic is not None},
                keyword_weight=keyword_weight(self.settings, query, parts),
            )
        else:
            fused = {c.arxiv_id: c.semantic for c in candidates if c.semantic is not None}
        for arxiv_id, score in fused.items():
            by_id[arxiv_id].score = score
        # The floors only remove papers, after fusion: the order of the rest is unchanged.
        floor = self.settings.search_semantic_floor
        order = [a for a in ranked(fused) if by_id[a].close_enough(floor)]
        if not self._anything_close(by_id.values()):
            order = []
        # What ran: with no candidate scored by meaning, the ranking is keyword search's.
        mode_used: SearchMode = mode
        if mode == "hybrid" and not any(c.semantic is not None for c in candidates):
            mode_used = "keyword"
        return _Ranking(
            [by_id[a] for a in order],
            mode_used,
            notice,
            query_vector,
            embedded,
            keyword_top=[c.arxiv_id for c in keyword[:TITLE_CANDIDATES]]
            if mode == "hybrid"
            else None,
        )

    def _embedded_fraction(self) -> float:
        """Share of visible papers with a vector (the paper count is cached like the vectors')."""
        checked, total = self._papers_count
        if time.monotonic() - checked > self.settings.search_paper_count_interval_s:
            total = self.keyword_index.count()
            self._papers_count = (time.monotonic(), total)
        return min(1.0, self.vectors.count() / total) if total else 1.0

    def _exact_first(
        self, query: str, parts: QueryParts, filters: SearchFilters, ranking: _Ranking
    ) -> tuple[str | None, dict[str, Paper]]:
        """Put a paper the query names (an id or URL) or whose title it is first, in any mode.

        Returns the id when the query named a paper by id (the web page opens it), and the
        visible papers it loaded on the way, by id.
        """
        named = named_paper(query)
        pinned: list[str] = []
        found: dict[str, Paper] = {}
        if named is not None:
            found = self.keyword_index.papers([named])
            if found:
                pinned = [named]
        elif len(parts.terms) >= MIN_TITLE_WORDS and not parts.excluded:
            # The keyword leg's best hits, floors or not; a second keyword query only where
            # no leg ran one (semantic mode): it found the same ids again in hybrid searches.
            looked_at = ranking.keyword_top
            if looked_at is None:
                looked_at = [c.arxiv_id for c in self._keyword(parts, filters, TITLE_CANDIDATES)]
            wanted = title_key(query)
            found = self.keyword_index.papers(list(dict.fromkeys(looked_at)))
            pinned = [a for a, paper in found.items() if title_key(paper.title) == wanted]
        if pinned:
            by_id = {c.arxiv_id: c for c in ranking.candidates}
            first = [by_id.get(a) or _Candidate(a) for a in pinned]
            ranking.candidates = first + [c for c in ranking.candidates if c.arxiv_id not in pinned]
        return (named if pinned and named is not None else None), found

    def _anything_close(self, candidates: Iterable[_Candidate]) -> bool:
        """The query floor: some paper holds every word, or one is close enough in meaning."""
        gate = self.settings.search_query_floor
        similarities = [c.similarity for c in candidates if c.similarity is not None]
        return (
            gate <= 0
            or any(c.every_word for c in candidates)
            or max(similarities, default=0.0) >= gate
        )

    def _best_sentences(self, query_vector: np.ndarray, ids: list[str]) -> dict[str, float]:
        """Each paper's best sentence cosine (title included), in one matrix product."""
        rows = self.embeddings.sentence_vectors(self.vectors.model, ids)
        order = [a for a in ids if a in rows and len(rows[a])]
        if not order:
            return {}
        stacked = np.concatenate([rows[a] for a in order]).astype(np.float32)
        starts = np.cumsum([0] + [len(rows[a]) for a in order[:-1]])
        best = np.maximum.reduceat(stacked @ query_vector, starts)
        return dict(zip(order, best.tolist(), strict=True))

    def _rationale_sentences(self, query_vector: np.ndarray, window: list[_Candidate]) -> None:
        """The abstract sentence closest to the query, for the hits on the page."""
        found = self.embeddings.sentences(self.vectors.model, [c.arxiv_id for c in window])
        for candidate in window:
            vectors = found.get(candidate.arxiv_id)
            if vectors is None or not vectors.spans:
                continue
            abstract = vectors.matrix[len(vectors.matrix) - len(vectors.spans) :]
            best, similarity = best_sentence(query_vector, abstract)
            candidate.sentence = Span(*vectors.spans[best])
            candidate.sentence_similarity = similarity

    def _keyword(self, parts: QueryParts, filters: SearchFilters, n: int) -> list[_Candidate]:
        found, every_word = keyword_matches(
            self.keyword_index, parts, filters, n, min_and_hits=self.settings.search_min_and_hits
        )
        return [
            _Candidate(
                arxiv_id,
                keyword=score,
                keyword_rank=rank,
                every_word=arxiv_id in every_word,
                score=score,
            )
            for rank, (arxiv_id, score) in enumerate(found, start=1)
        ]

    def _hit(
        self,
        candidate: _Candidate,
        paper: Paper,
        terms: list[str],
        explain_hits: bool,
    ) -> SearchHit:
        rationale = (
            explain(
                paper,
                terms,
                sentence=candidate.sentence,
                sentence_similarity=candidate.sentence_similarity,
            )
            if explain_hits
            else explain(paper, [])
        )
        return SearchHit(
            paper=paper,
            score=candidate.score,
            keyword_rank=candidate.keyword_rank,
            semantic_rank=candidate.semantic_rank,
            similarity=candidate.similarity,
            rationale=rationale,
        )


def _sort_key(sort: SearchSort, papers: dict[str, Paper]):
    if sort == "newest":
        return lambda c: (
            -(
                papers[c.arxiv_id].published_at.timestamp()
                if papers[c.arxiv_id].published_at
                else 0
            ),
            -c.score,
        )
    return lambda c: (-papers[c.arxiv_id].upvotes, -c.score)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
