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
import sys
import time

import numpy as np
from rich.table import Table

from dailypapers.domain.search import SearchFilters
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.search.recipe import embed_papers
from dailypapers.search.vector_search import MemoryVectors
from dailypapers.search.vectors import ExactIndex, HnswIndex
from dailypapers.services.bootstrap import Services
from support import (
    CACHE,
    DATA,
    console,
    ensure_papers,
    ensure_real_vectors,
    fill_synthetic,
    make_queries,
    ms,
    open_services,
    replicate,
    time_modes,
)


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
        matrix = replicate(base, size, rng)
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


class ScaledVectors:
    """`VectorSearch` over `scale` replicated vectors; replica i stands for paper i % n."""

    def __init__(self, services: Services, scale: int, kind: str) -> None:
        inner = services.search.engine.vectors
        snap = inner._current()
        self.model, self.inner, self.ids = inner.model, inner, snap.arxiv_ids
        base = snap.index.matrix if isinstance(snap.index, ExactIndex) else None
        assert base is not None
        rng = np.random.default_rng(4)
        matrix = replicate(base, scale, rng)
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
