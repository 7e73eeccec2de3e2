"""Search benchmark (on demand; not part of the test suite). Prints tables.

    .venv/bin/python bench/search_bench.py [--embed-limit 3000] [--queries 200]
                                           [--scale 1000000] [--no-scale]

1. Imports the 74,728 arXiv papers of ../shared/data/arxiv_daily_cs into a SQLite file under
   bench/.cache/ (kept between runs), with the real import service.
2. Embeds the first `--embed-limit` papers for real with `EmbeddingService.run` (the
   `dailypapers index` job) and reports its throughput; a rerun finds them done. Embedding all
   74.7k takes about an hour on 2 cores, so every other paper gets a *synthetic* vector: the
   real vectors (paper and sentences) of an embedded paper, replicated with small noise
   (cosine ~0.95 to the original). The output says so.
3. Times, in-process, `--queries` queries per mode (wall time per call, query embedding
   included: no query is seen twice), and similar papers for random papers.
   Queries: hand-written topics plus 2-4 content words cut from random titles.
4. Times the vector index alone at growing sizes (exact numpy vs HNSW), to find where exact
   search stops being fast enough, and then hybrid search with `--scale` vectors (the 74.7k
   vectors replicated with noise, each replica standing for its source paper) behind the
   same `VectorSearch` interface: the papers and keyword index stay at 74.7k.
Targets (2 cores): hybrid p50 < 30 ms, p95 < 80 ms; keyword p50 < 10 ms; similar papers
p50 < 20 ms; hybrid at 1M vectors p50 < 60 ms; embedding >= 20 abstracts/s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dailypapers.config import Settings
from dailypapers.domain.search import SearchFilters, query_terms
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.search.recipe import embed_papers
from dailypapers.search.vector_search import MemoryVectors
from dailypapers.search.vectors import ExactIndex, HnswIndex
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.storage.embeddings import EmbeddingRecord

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"
CACHE = ROOT / "bench" / ".cache"
console = Console()

TOPICS = [
    "diffusion models for video generation",
    "retrieval augmented generation",
    "LLM agents",
    "mixture of experts routing",
    "speech recognition for low resource languages",
    "reinforcement learning from human feedback",
    "3D gaussian splatting",
    "hallucination in vision language models",
    "code generation benchmark",
    "efficient attention for long context",
    "graph neural networks for molecules",
    "federated learning privacy",
    "adversarial robustness of image classifiers",
    "chain of thought reasoning",
    "autonomous driving trajectory prediction",
    "medical image segmentation",
    "quantization of large language models",
    "knowledge distillation",
    "text to image editing",
    "contrastive self-supervised learning",
]


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def open_services(embedder: MiniLMEmbedder) -> Services:
    CACHE.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        data_dir=CACHE, database_url=f"sqlite:///{CACHE / 'search_bench.db'}", sql_time_limit_ms=0
    )
    services = bootstrap(settings, embedder=embedder)
    services.upgrade_schema()
    return services


def ensure_papers(services: Services) -> None:
    if services.papers.count() >= 74_000:
        console.print(f"papers: {services.papers.count():,} (cached)")
        return
    started = time.perf_counter()
    report = services.imports.import_file(DATA, "arxiv-snapshot")
    console.print(f"papers: imported {report.inserted:,} in {time.perf_counter() - started:.0f} s")


def embedding_throughput(services: Services, embedder: MiniLMEmbedder, n: int = 300) -> float:
    """Papers/s of the index job's embedding step on n real abstracts (not stored)."""
    rows = []
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows.append((row["id"], row["title"], row["abstract"]))
            if len(rows) == n + 16:
                break
    embed_papers(embedder, rows[:16], "warm-up")
    started = time.perf_counter()
    embed_papers(embedder, rows[16:], services.embedding.model)
    return n / (time.perf_counter() - started)


def ensure_real_vectors(services: Services, limit: int) -> None:
    model = services.embedding.model
    have = services.embedding.store.count(model)
    if have >= limit:
        console.print(f"real vectors: {limit:,} wanted, {have:,} stored (cached)")
        return
    with _progress() as bar:
        task = bar.add_task("embedding (dailypapers index)", total=limit - have)
        report = services.embedding.run(
            limit=limit - have,
            progress=lambda done, _total: bar.update(task, completed=done),
        )
    console.print(f"real vectors: embedded {report.embedded:,} papers at {report.per_second:.1f}/s")


def fill_synthetic(services: Services, real: int, seed: int = 0) -> int:
    """Give every paper without a vector a noisy copy of a real paper's vectors."""
    store, model = services.embedding.store, services.embedding.model
    pending = store.count_pending(model)
    if pending == 0:
        return 0
    sources = store.load(model)
    source_ids = sources.arxiv_ids[:real]
    sentences = store.sentences(model, source_ids)
    rng = np.random.default_rng(seed)
    after, filled = None, 0
    with _progress() as bar:
        task = bar.add_task("synthetic vectors", total=pending)
        while True:
            batch = store.pending(model, after=after, limit=2000)
            if not batch:
                break
            after = batch[-1].arxiv_id
            records = []
            for paper in batch:
                if paper.text_hash is not None:
                    continue
                source = source_ids[int(rng.integers(len(source_ids)))]
                vector = _noisy(sources.matrix[sources.arxiv_ids.index(source)], rng)
                rows = sentences[source]
                records.append(
                    EmbeddingRecord(
                        paper.arxiv_id,
                        "synthetic",
                        vector,
                        np.vstack([_noisy(r, rng) for r in rows.matrix]),
                        rows.spans,
                    )
                )
            store.save(model, records, checked_at=services.clock())
            filled += len(records)
            bar.update(task, advance=len(batch))
    return filled


def _noisy(vector: np.ndarray, rng: np.random.Generator, scale: float = 0.33) -> np.ndarray:
    noisy = vector + rng.normal(0, scale / np.sqrt(len(vector)), len(vector)).astype(np.float32)
    return (noisy / np.linalg.norm(noisy)).astype(np.float32)


def make_queries(services: Services, n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    ids = services.search.engine.vectors.search(np.ones(384, np.float32) / 384**0.5, 5000)
    papers = services.search.engine.keyword_index.papers(
        [a for a, _ in rng.sample(ids, min(len(ids), n))]
    )
    queries = list(TOPICS)
    for paper in papers.values():
        words = [w for w in query_terms(paper.title) if len(w) > 2]
        if len(words) >= 2:
            start = rng.randrange(max(1, len(words) - 2))
            queries.append(" ".join(words[start : start + rng.choice((2, 3, 4))]))
    rng.shuffle(queries)
    return queries[:n]


def time_modes(services: Services, queries: list[str], label: str) -> dict[str, tuple]:
    search = services.search
    for query in TOPICS[:5]:  # warm up: vectors loaded, caches filled
        search.search(query, limit=20)
    results = {}
    for mode in ("keyword", "semantic", "hybrid"):
        times = []
        for query in queries:
            search.forget_queries()
            started = time.perf_counter()
            search.search(query, mode=mode, limit=20)
            times.append((time.perf_counter() - started) * 1000)
        results[f"{mode} ({label})"] = ms(times)
    filtered = []
    for query in queries[:50]:
        search.forget_queries()
        started = time.perf_counter()
        search.search(query, limit=20, filters=SearchFilters(category="cs.CL"))
        filtered.append((time.perf_counter() - started) * 1000)
    results[f"hybrid, category filter ({label})"] = ms(filtered)
    return results


def time_similar(services: Services, n: int) -> tuple[float, float]:
    rng = random.Random(2)
    snapshot = services.search.engine.vectors._current()  # the bench may look inside
    ids = rng.sample(snapshot.arxiv_ids, n)
    times = []
    for arxiv_id in ids:
        started = time.perf_counter()
        services.search.similar(arxiv_id, limit=6)
        times.append((time.perf_counter() - started) * 1000)
    return ms(times)


def index_crossover(base: np.ndarray, sizes: list[int], queries: int = 30) -> list[tuple]:
    """Exact numpy search latency by size (the part of a query that grows with the corpus)."""
    rng = np.random.default_rng(3)
    rows = []
    for size in sizes:
        matrix = _replicate(base, size, rng)
        index = ExactIndex(base.shape[1], matrix)
        qs = matrix[rng.integers(0, size, queries)]
        index.search(qs[0], 110)
        times = []
        for q in qs:
            started = time.perf_counter()
            index.search(q, 110)
            times.append((time.perf_counter() - started) * 1000)
        rows.append((size, *ms(times)))
        del index, matrix
    return rows


def _replicate(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    reps = -(-size // len(base))
    out = np.empty((size, base.shape[1]), np.float32)
    for r in range(reps):
        chunk = base[: min(len(base), size - r * len(base))]
        if r == 0:
            out[: len(chunk)] = chunk
            continue
        noisy = chunk + rng.normal(0, 0.33 / np.sqrt(base.shape[1]), chunk.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        out[r * len(base) : r * len(base) + len(chunk)] = noisy
    return out


class ScaledVectors:
    """`VectorSearch` over `scale` replicated vectors; replica i stands for paper i % n."""

    def __init__(self, services: Services, scale: int, kind: str) -> None:
        inner = services.search.engine.vectors
        snap = inner._current()
        self.model, self.inner, self.ids = inner.model, inner, snap.arxiv_ids
        base = snap.index.matrix if isinstance(snap.index, ExactIndex) else None
        assert base is not None
        rng = np.random.default_rng(4)
        matrix = _replicate(base, scale, rng)
        started = time.perf_counter()
        if kind == "hnsw":
            path = CACHE / f"hnsw-{scale}.bin"
            exact = ExactIndex(base.shape[1], matrix)
            if path.is_file():
                self.index = HnswIndex.load(path, exact)
            else:
                self.index = HnswIndex(base.shape[1], exact=exact, m=16, ef_construction=100)
                self.index.save(path)
        else:
            self.index = ExactIndex(base.shape[1], matrix)
        self.build_s = time.perf_counter() - started

    def count(self) -> int:
        return len(self.index)

    def search(self, query, k, filters=SearchFilters()):
        positions, sims = self.index.search(query, k * 3)
        seen, found = set(), []
        for p, s in zip(positions.tolist(), sims.tolist(), strict=True):
            arxiv_id = self.ids[p % len(self.ids)]
            if arxiv_id not in seen:
                seen.add(arxiv_id)
                found.append((arxiv_id, s))
        return found[:k]

    def similarities(self, query, ids):
        return self.inner.similarities(query, ids)

    def neighbours(self, arxiv_id, k, filters=SearchFilters()):
        return self.inner.neighbours(arxiv_id, k, filters)

    def invalidate(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embed-limit", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--no-scale", action="store_true", help="skip the 1M-vector part")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    embedder = MiniLMEmbedder(CACHE / "models", threads=args.threads)
    services = open_services(embedder)
    ensure_papers(services)
    services.search.optimize_keyword_index()  # as `dailypapers index` does; ~1 s
    throughput = embedding_throughput(services, embedder)
    ensure_real_vectors(services, args.embed_limit)
    filled = fill_synthetic(services, args.embed_limit)
    total = services.search.status().embedded
    console.print(
        f"vectors: {total:,} ({args.embed_limit:,} real; the rest real vectors replicated "
        f"with noise{f', {filled:,} made now' if filled else ''})"
    )
    fresh = MemoryVectors(
        services.embedding.store,
        services.search.engine.keyword_index,
        services.embedding.model,
        exact_limit=10**9,
    )
    started = time.perf_counter()
    fresh.count()  # what a new process pays on its first semantic search
    load_s = time.perf_counter() - started
    del fresh
    queries = make_queries(services, args.queries)

    table = Table(title=f"search latency, {total:,} papers, {len(queries)} queries each (ms)")
    for column in ("what", "p50", "p95", "target"):
        table.add_column(column)
    targets = {
        "keyword (74.7k)": "p50 < 10",
        "hybrid (74.7k)": "p50 < 30, p95 < 80",
    }
    for name, (p50, p95) in time_modes(services, queries, "74.7k").items():
        table.add_row(name, f"{p50:.1f}", f"{p95:.1f}", targets.get(name, ""))
    p50, p95 = time_similar(services, 100)
    table.add_row("similar papers (74.7k)", f"{p50:.1f}", f"{p95:.1f}", "p50 < 20")

    base = services.search.engine.vectors._current().index.matrix
    crossover = index_crossover(base, [75_000, 150_000, 300_000, 600_000, 1_000_000])
    if not args.no_scale:
        for kind in ("hnsw", "exact"):
            scaled = ScaledVectors(services, args.scale, kind)
            original = services.search.engine.vectors
            services.search.engine.vectors = scaled
            try:
                label = f"{args.scale / 1e6:g}M {kind}"
                for name, (p50, p95) in time_modes(services, queries[:100], label).items():
                    if name.startswith("hybrid (") or name.startswith("semantic ("):
                        target = "p50 < 60" if name.startswith("hybrid (") else ""
                        table.add_row(name, f"{p50:.1f}", f"{p95:.1f}", target)
                console.print(f"{label}: index built/loaded in {scaled.build_s:.0f} s")
            finally:
                services.search.engine.vectors = original
                del scaled
    console.print(table)

    other = Table(title="index and embedding")
    other.add_column("what")
    other.add_column("value")
    other.add_row("embedding throughput (sentences + paper vector)", f"{throughput:.1f} papers/s")
    other.add_row("load 74.7k vectors into memory", f"{load_s:.2f} s")
    for size, p50, p95 in crossover:
        other.add_row(
            f"exact vector search, {size:,} vectors", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )
    console.print(other)
    services.close()


if __name__ == "__main__":
    sys.exit(main())
