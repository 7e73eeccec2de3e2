"""Nearest neighbours over unit vectors held in memory: exact (numpy) or HNSW (hnswlib).

`VectorIndex` is the one interface; positions are row numbers in insertion order, and the
caller maps them to papers. Vectors are L2-normalised, so cosine similarity is a dot product.

Exact search is a matrix-vector product and a partial sort; it is simple, always right, and
fast while the matrix is small. HNSW answers in well under a millisecond at any size but costs
a build (minutes at 1M) and misses a few neighbours. bench/search_bench.py measures where the
exact search stops being fast enough (2 cores, 384 dimensions: 7 ms at 75k vectors, 12 ms at
150k, 27 ms at 300k, 87 ms at 1M; HNSW 0.2-1 ms). That is CPU on every distinct search, so
above `vector_index_exact_limit` (20k; docs/search.md says why) the graph takes over.
Measured hybrid search p50 (bench/search_bench.py): 26 ms at 75k (exact), 17.5 ms at 1M
(HNSW), 103 ms at 1M (exact).
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

# One exact product reads the whole matrix (115 MB at 75k vectors): memory-bound, so one core
# can't draw the bandwidth; split into row blocks on threads of our own (each block on one
# BLAS thread: OpenBLAS's own threads spin between calls) it takes ~5 ms instead of ~9 on two
# cores. Process-wide, like the BLAS thread count (`set_product_threads`, from search/backends.py).
_ROWS_PER_PART = 16_384  # smaller blocks aren't worth the hop to another thread
_product_pool: ThreadPoolExecutor | None = None
_product_parts = 1


def set_product_threads(threads: int) -> None:
    """Split each large exact product over `threads` threads (1: in the caller's thread)."""
    global _product_pool, _product_parts
    if max(1, threads) == _product_parts:
        return
    old = _product_pool
    _product_parts = max(1, threads)
    _product_pool = (
        ThreadPoolExecutor(threads, thread_name_prefix="vector-product") if threads > 1 else None
    )
    if old is not None:
        old.shutdown(wait=False)


def matrix_scores(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`matrix @ query`, in row blocks on the product threads when the matrix is large."""
    pool, n = _product_pool, len(matrix)
    parts = min(_product_parts, n // _ROWS_PER_PART)
    if pool is None or parts < 2:
        return matrix @ query
    out = np.empty(n, np.result_type(matrix, query))
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    blocks = [
        pool.submit(np.matmul, matrix[a:b], query, out=out[a:b])
        for a, b in itertools.pairwise(bounds)
    ]
    for block in blocks:
        block.result()
    return out


class VectorIndex(Protocol):
    dim: int

    def __len__(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; their positions continue from len(self)."""

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(positions, similarities) of the k best rows, best first; only `allowed` rows
        (sorted positions) when given."""

    def replace(self, position: int, vector: np.ndarray) -> None:
        """Overwrite one row (a re-embedded paper keeps its position)."""

    def similarities(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to the given rows."""

    def vector(self, position: int) -> np.ndarray: ...


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, largest first (argpartition, then sort k)."""
    n = scores.shape[0]
    if k <= 0 or n == 0:
        return np.zeros(0, np.int64)
    if k >= n:
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


class ExactIndex:
    """Brute force over a float32 matrix that grows by doubling (appends are cheap)."""

    def __init__(self, dim: int, vectors: np.ndarray | None = None) -> None:
        self.dim = dim
        self._data = np.zeros((0, dim), np.float32)
        self._n = 0
        if vectors is not None and len(vectors):
            self.add(vectors)

    def __len__(self) -> int:
        return self._n

    @property
    def matrix(self) -> np.ndarray:
        return self._data[: self._n]

    def add(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, np.float32).reshape(-1, self.dim)
        need = self._n + len(vectors)
        if need > len(self._data):
            grown = np.zeros((max(need, 2 * len(self._data), 1024), self.dim), np.float32)
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._data[self._n : need] = vectors
        self._n = need

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        query = np.asarray(query, np.float32)
        if allowed is None:
            scores = matrix_scores(self.matrix, query)
            best = top_k(scores, k)
            return best.astype(np.int64), scores[best]
        allowed = np.asarray(allowed, np.int64)
        if len(allowed) * 4 > len(self):  # a broad filter: one product over all rows is cheaper
            scores = matrix_scores(self.matrix, query)[
                allowed
            ]  # than copying the allowed rows out first
        else:
            scores = self._data[allowed] @ query
        best = top_k(scores, k)
        return allowed[best], scores[best]

    def replace(self, position: int, vector: np.ndarray) -> None:
        self._data[position] = np.asarray(vector, np.float32)

    def similarities(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        return self._data[np.asarray(positions, np.int64)] @ np.asarray(query, np.float32)

    def vector(self, position: int) -> np.ndarray:
        return self._data[position].copy()


class HnswIndex:
    """hnswlib's HNSW graph (inner product), with the exact matrix kept beside it.

    The matrix answers `similarities` (scoring keyword candidates) and filtered searches over a
    small allowed set exactly; the graph answers unfiltered and broadly filtered searches.
    `exact=` builds the graph over an existing ExactIndex (sharing its matrix, no copy); rows
    added to that ExactIndex afterwards reach the graph with `sync()`.
    """

    def __init__(
        self,
        dim: int,
        vectors: np.ndarray | None = None,
        *,
        exact: ExactIndex | None = None,
        m: int = 16,
        ef_construction: int = 100,
        ef_search: int = 64,
        threads: int | None = None,
    ) -> None:
        import hnswlib  # imported only by processes that need a graph (large indexes)

        self.dim = dim
        self._exact = exact if exact is not None else ExactIndex(dim)
        self._graph = hnswlib.Index(space="ip", dim=dim)
        self._graph.init_index(
            max_elements=max(1024, len(self._exact)), M=m, ef_construction=ef_construction
        )
        self._ef = ef_search
        self._threads = threads or -1
        self._in_graph = 0
        self.sync()
        if vectors is not None and len(vectors):
            self.add(vectors)

    def __len__(self) -> int:
        return len(self._exact)

    def save(self, path: Path) -> None:
        """Write the graph (not the vectors) to a file `load` reads back."""
        self._graph.save_index(str(path))

    @classmethod
    def load(
        cls, path: Path, exact: ExactIndex, *, ef_search: int = 64, threads: int | None = None
    ) -> HnswIndex:
        """A graph saved by `save`, over `exact` (whose first rows it was built from)."""
        import hnswlib

        index = cls.__new__(cls)
        index.dim, index._exact, index._ef = exact.dim, exact, ef_search
        index._threads = threads or -1
        index._graph = hnswlib.Index(space="ip", dim=exact.dim)
        index._graph.load_index(str(path), max_elements=max(len(exact), 1024))
        index._in_graph = index._graph.get_current_count()
        index.sync()
        return index

    def holds_its_rows(self, sample: int) -> bool:
        """Whether the graph's vectors are the exact matrix's at `sample` positions spread
        over the rows it holds (a graph read from a file must be of these vectors)."""
        if self._in_graph == 0:
            return True
        positions = np.unique(np.linspace(0, self._in_graph - 1, sample).astype(np.int64))
        stored = np.asarray(self._graph.get_items(positions), np.float32)
        return bool(np.allclose(stored, self._exact.matrix[positions], atol=1e-6))

    def sync(self) -> None:
        """Put rows the exact matrix has and the graph lacks into the graph."""
        start, end = self._in_graph, len(self._exact)
        if end <= start:
            return
        if end > self._graph.get_max_elements():
            self._graph.resize_index(max(end, 2 * self._graph.get_max_elements()))
        rows = self._exact.matrix[start:end]
        self._graph.add_items(rows, np.arange(start, end), num_threads=self._threads)
        self._in_graph = end

    def add(self, vectors: np.ndarray) -> None:
        self._exact.add(vectors)
        self.sync()

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(self)
        if n == 0 or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if allowed is not None and len(allowed) <= max(50_000, 20 * k):
            return self._exact.search(query, k, allowed)
        fetch = min(n, k if allowed is None else k * max(2, n // max(len(allowed), 1)))
        fetch = min(fetch, n)
        # ef = 2k, as pgvector is asked (storage/embeddings.py): recall@100 against the exact
        # product 0.996 on SciFact's 5.2k real vectors, against 0.974 at ef = k.
        self._graph.set_ef(max(self._ef, 2 * fetch))
        labels, distances = self._graph.knn_query(np.asarray(query, np.float32), k=fetch)
        positions = labels[0].astype(np.int64)
        sims = (1.0 - distances[0]).astype(np.float32)
        if allowed is not None:
            keep = np.isin(positions, allowed)
            positions, sims = positions[keep], sims[keep]
        return positions[:k], sims[:k]

    def replace(self, position: int, vector: np.ndarray) -> None:
        vector = np.asarray(vector, np.float32).reshape(1, self.dim)
        self._exact.replace(position, vector[0])
        if position < self._in_graph:
            self._graph.add_items(vector, np.array([position]))  # an existing label is updated

    @property
    def matrix(self) -> np.ndarray:
        return self._exact.matrix

    def similarities(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        return self._exact.similarities(query, positions)

    def vector(self, position: int) -> np.ndarray:
        return self._exact.vector(position)


def build_index(dim: int, vectors: np.ndarray, *, exact_limit: int) -> VectorIndex:
    """An exact index up to `exact_limit` rows, HNSW beyond (built here, which takes a while:
    a serving process builds it in the background instead, see search/vector_search.py)."""
    if len(vectors) <= exact_limit:
        return ExactIndex(dim, vectors)
    return HnswIndex(dim, vectors)
