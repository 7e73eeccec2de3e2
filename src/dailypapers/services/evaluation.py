"""Search quality on judged collections: `dailypapers eval beir DIR --split NAME`.

A BEIR folder (corpus.jsonl `{_id, title, text}`, queries.jsonl `{_id, text}`,
qrels/NAME.tsv `query-id corpus-id score` with a header) is loaded into a temporary SQLite
database, BEIR ids standing in for arXiv ids, and every judged query runs through the same
`SearchService` the site uses, in each mode. Reported per mode: nDCG@10 (linear gain, as
trec_eval and BEIR compute it), recall@100, and query latency p50/p95 (query embedding
included). Queries with no relevant document are left out, as they can't be scored.

Embedding a corpus is the slow part (minutes for SciFact's 5,183 abstracts on 2 cores), so
its vectors are cached under `<data_dir>/eval-cache/`, keyed by a hash of the corpus file,
the model and the embedding recipe: a rerun only embeds the queries.
"""

from __future__ import annotations

import gzip
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.domain.papers import Paper, SourceRecord
from dailypapers.domain.search import SearchMode
from dailypapers.errors import BadRequest
from dailypapers.search.embedder import Embedder
from dailypapers.search.evaluation import (
    corpus_key,
    ndcg_at,
    percentile,
    read_jsonl,
    read_qrels,
    recall_at,
)
from dailypapers.search.recipe import EmbedderSource, embed_papers
from dailypapers.search.short_queries import short_queries, write_collection
from dailypapers.search.vector_files import read_vectors, write_vectors
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.services.demo import demo_data_path, demo_embeddings_path

Progress = Callable[[str, int, int], None]  # (stage, done, total)
EMBED_CHUNK = 256  # papers per embedding call (progress granularity)


@dataclass(slots=True)
class ModeResult:
    ndcg_at_10: float
    recall_at_100: float
    p50_ms: float
    p95_ms: float
    queries: int

    def as_dict(self) -> dict:
        return {
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "latency_p50_ms": round(self.p50_ms, 2),
            "latency_p95_ms": round(self.p95_ms, 2),
            "queries": self.queries,
        }


@dataclass(slots=True)
class BeirReport:
    collection: str
    split: str
    documents: int
    queries: int
    embedded_from_cache: bool
    embed_seconds: float
    modes: dict[str, ModeResult] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {mode: result.as_dict() for mode, result in self.modes.items()}


class EvaluationService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedders = EmbedderSource(
            settings.search,
            settings.storage.model_cache_dir,
            (lambda: embedder) if embedder is not None else None,
        )

    def cache_dir(self) -> Path:
        return self.settings.data_dir / "eval-cache"

    def beir(
        self,
        folder: Path,
        split: str,
        *,
        modes: Sequence[SearchMode] = ("keyword", "semantic", "hybrid"),
        limit_queries: int | None = None,
        progress: Progress | None = None,
    ) -> BeirReport:
        folder = Path(folder)
        corpus_path, queries_path = folder / "corpus.jsonl", folder / "queries.jsonl"
        qrels_path = folder / "qrels" / f"{split}.tsv"
        for needed in (corpus_path, queries_path, qrels_path):
            if not needed.is_file():
                raise BadRequest(f"not a BEIR folder: {needed} is missing")
        qrels = read_qrels(qrels_path)
        queries = {q["_id"]: q["text"] for q in read_jsonl(queries_path) if "_id" in q}
        judged = [q for q in queries if any(r > 0 for r in qrels.get(q, {}).values())][
            : limit_queries or None
        ]
        workdir = Path(tempfile.mkdtemp(prefix="dailypapers-beir-"))
        try:
            services = self._services(workdir)
            try:
                documents = self._load_corpus(services, corpus_path)
                from_cache, embed_s = self._embed(services, corpus_path, progress)
                services.search.wait_for_vector_index()
                report = BeirReport(folder.name, split, documents, len(judged), from_cache, embed_s)
                for mode in modes:
                    report.modes[mode] = self._run_mode(
                        services, mode, [(q, queries[q]) for q in judged], qrels, progress
                    )
            finally:
                services.close()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return report

    def short_queries(
        self,
        split: str,
        *,
        modes: Sequence[SearchMode] = ("keyword", "semantic", "hybrid"),
        limit_queries: int | None = None,
        progress: Progress | None = None,
    ) -> BeirReport:
        """The short-query collection (search/short_queries.py) made from the demo's HF rows.

        Written to `<data_dir>/eval-short-queries/` and run like any BEIR folder; `split` is
        `tune`, `test`, or either with a kind (`test-title`). The demo's shipped vectors seed
        the eval cache, so nothing is embedded but the queries.
        """
        with gzip.open(demo_data_path(), "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        corpus, queries = short_queries(rows)
        folder = self.settings.data_dir / "eval-short-queries"
        write_collection(folder, corpus, queries)
        model = self.embedders.model
        cache = self._cache_path(folder / "corpus.jsonl", model)
        if not cache.is_file() and demo_embeddings_path().is_file():
            cache.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(demo_embeddings_path(), cache)
        return self.beir(folder, split, modes=modes, limit_queries=limit_queries, progress=progress)

    def _cache_path(self, corpus_path: Path, model: str) -> Path:
        key = corpus_key(corpus_path, model, self.settings.search)
        return self.cache_dir() / f"{corpus_path.parent.name}-{key}.npz"

    # --- steps ----------------------------------------------------------------------------
    def _database_url(self, workdir: Path) -> str:
        """Where a collection is loaded: a fresh SQLite file (a benchmark may say otherwise)."""
        return f"sqlite:///{workdir / 'beir.db'}"

    def _services(self, workdir: Path) -> Services:
        settings = self.settings.model_copy(
            update={
                "data_dir": workdir,
                "database_url": self._database_url(workdir),
                "max_query_length": 100_000,  # judged queries (CISI's) run long
                "max_page_size": max(self.settings.max_page_size, 100),
                "search_max_results": max(self.settings.search_max_results, 100),
                "sql_time_limit_ms": 0,
            }
        )
        services = bootstrap(settings, embedder=self.embedders.get())
        services.upgrade_schema()
        return services

    def _load_corpus(self, services: Services, corpus_path: Path) -> int:
        batch: list[SourceRecord] = []
        count = 0
        now = services.clock()
        for doc in read_jsonl(corpus_path):
            paper = Paper(
                arxiv_id=str(doc["_id"]),
                title=str(doc.get("title") or ""),
                abstract=str(doc.get("text") or ""),
                # the short-query collection's documents carry these; BEIR's don't
                authors=[str(a) for a in doc.get("authors") or []],
                ai_keywords=[str(k) for k in doc["keywords"]] if doc.get("keywords") else None,
            )
            batch.append(SourceRecord(paper))
            if len(batch) >= 2000:
                count += services.papers.upsert(batch, now=now).inserted
                batch = []
        count += services.papers.upsert(batch, now=now).inserted
        return count

    def _embed(
        self, services: Services, corpus_path: Path, progress: Progress | None
    ) -> tuple[bool, float]:
        model = services.embedding.model
        cache = self._cache_path(corpus_path, model)
        started = time.perf_counter()
        if cache.is_file():
            cached_model, _ = read_vectors(cache)
            if cached_model == model:
                services.embedding.import_vectors(cache)
                return True, time.perf_counter() - started
        docs = [
            (str(d["_id"]), str(d.get("title") or ""), str(d.get("text") or ""))
            for d in read_jsonl(corpus_path)
        ]
        embedder = self.embedders.get()
        records = []
        for start in range(0, len(docs), EMBED_CHUNK):
            records += embed_papers(embedder, docs[start : start + EMBED_CHUNK], model)
            if progress:
                progress("embedding corpus", len(records), len(docs))
        write_vectors(cache, model, records)
        services.embedding.import_vectors(cache)
        return False, time.perf_counter() - started

    def _run_mode(
        self,
        services: Services,
        mode: SearchMode,
        queries: list[tuple[str, str]],
        qrels: dict[str, dict[str, int]],
        progress: Progress | None,
    ) -> ModeResult:
        ndcgs, recalls, times = [], [], []
        services.search.forget_queries()  # latency includes embedding each query
        for done, (qid, text) in enumerate(queries, start=1):
            started = time.perf_counter()
            page = services.search.search(text, mode=mode, limit=100, explain_hits=False)
            times.append((time.perf_counter() - started) * 1000)
            ranking = [hit.paper.arxiv_id for hit in page.hits]
            ndcgs.append(ndcg_at(ranking, qrels[qid]))
            recalls.append(recall_at(ranking, qrels[qid]))
            if progress:
                progress(f"{mode} queries", done, len(queries))
        return ModeResult(
            ndcg_at_10=statistics.fmean(ndcgs) if ndcgs else 0.0,
            recall_at_100=statistics.fmean(recalls) if recalls else 0.0,
            p50_ms=percentile(times, 0.50),
            p95_ms=percentile(times, 0.95),
            queries=len(queries),
        )
