"""Nearest-neighbour search over stored paper vectors, one interface for both databases.

- `MemoryVectors` (SQLite): the model's vectors are read once into an exact numpy index
  (75k vectors: 0.6 s) and kept in step with the table by a cheap check (row count + max id,
  at most once a second): rows added since are appended, re-embedded ones replaced in place,
  anything else (deletes) reloads. Beyond `vector_index_exact_limit` vectors a thread builds
  an HNSW graph over the same matrix (1M: ~100 s on 2 cores) while exact search keeps
  answering, and the graph takes over when it is ready. The graph is built once for all of
  a site's processes and kept on disk (search/graph_files.py). A filtered search (category, dates)
  scores only the papers passing the filter, whose positions are remembered per filter until
  the vectors or the papers (the data version) change.
- `DatabaseVectors` (PostgreSQL): pgvector's HNSW index answers in the database, so any
  number of web processes share one index and nothing lives only in process memory.

Both return (arxiv_id, cosine similarity) pairs for visible papers passing the filters.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from dailypapers.domain.search import SearchFilters
from dailypapers.search.graph_files import GraphFiles
from dailypapers.search.vectors import ExactIndex, HnswIndex, VectorIndex
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.embeddings import EmbeddingStore
from dailypapers.storage.keyword_index import Fts5KeywordIndex

CHECK_INTERVAL_S = 1.0  # how stale an in-memory copy may get before it is compared again


class VectorSearch(Protocol):
    model: str

    def count(self) -> int:
        """Vectors stored for the model (0: semantic search is not available yet)."""

    def empty(self) -> bool:
        """No vector stored for the model yet: cheap enough to ask on every query."""

    def search(
        self, query: np.ndarray, k: int, filters: SearchFilters = SearchFilters()
    ) -> list[tuple[str, float]]:
        """The k visible papers nearest to `query` that pass `filters`, nearest first."""

    def similarities(self, query: np.ndarray, ids: list[str]) -> dict[str, float]:
        """Cosine similarity of `query` to each of `ids` that has a vector."""

    def neighbours(
        self, arxiv_id: str, k: int, filters: SearchFilters = SearchFilters()
    ) -> list[tuple[str, float]]:
        """The k visible papers nearest to a paper, itself excluded (empty: no vector)."""

    def invalidate(self) -> None:
        """Vectors changed in this process: look at the table again on the next query."""

    def wait_for_graph(self, timeout: float | None = None) -> bool:
        """Block until an approximate index being built for the current vectors is in use
        (tests, benchmarks, evaluations); True if none is being built."""


@dataclass(slots=True)
class _Snapshot:
    state: tuple[int, int]  # (rows, max id) of the table when loaded
    index: VectorIndex | None
    arxiv_ids: list[str]
    row_ids: np.ndarray  # position i holds row id row_ids[i]
    positions: dict[str, int]


class MemoryVectors:
    def __init__(
        self,
        store: EmbeddingStore,
        keyword_index: Fts5KeywordIndex,
        model: str,
        *,
        exact_limit: int,
        check_interval_s: float = CHECK_INTERVAL_S,
        versions: DataVersionStore | None = None,
        filters_kept: int = 16,
        graph_files: GraphFiles | None = None,
    ) -> None:
        self.store = store
        self.versions = versions  # bumped by every visible write: keys the filter cache
        self.filters_kept = filters_kept  # setting search_filter_cache_size
        self._allowed_by_filter: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.keyword_index = keyword_index  # knows which papers are visible
        self.model = model
        self.exact_limit = exact_limit
        self.check_interval_s = check_interval_s
        self._snapshot = _Snapshot((0, 0), None, [], np.zeros(0, np.int64), {})
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self._dirty: set[int] = set()  # positions replaced while a graph was being built
        self.graph_files = graph_files  # where graphs are shared with the site's processes

    # --- keeping in step with the table ---------------------------------------------------
    def _current(self) -> _Snapshot:
        now = time.monotonic()
        if now - self._checked < self.check_interval_s:
            return self._snapshot
        with self._lock:
            if now - self._checked < self.check_interval_s:
                return self._snapshot
            state = self.store.state(self.model)
            if state != self._snapshot.state:
                self._snapshot = self._refresh(self._snapshot, state)
                self._maybe_build_graph(self._snapshot)
            self._checked = time.monotonic()
        return self._snapshot

    def _maybe_build_graph(self, snap: _Snapshot) -> None:
        """Past the exact limit, build an HNSW graph over the live matrix in a thread."""
        exact = snap.index
        if not isinstance(exact, ExactIndex) or len(exact) <= self.exact_limit:
            return
        if self._building is not None and self._building.is_alive():
            return
        self._dirty = set()

        def build() -> None:
            threads = max(1, (os.cpu_count() or 2) - 1)  # leave a core to the requests
            if self.graph_files is None:
                graph = HnswIndex(exact.dim, exact=exact, threads=threads)
            else:  # built once for all of the site's processes (search/graph_files.py)
                graph = self.graph_files.obtain(
                    self.model,
                    snap.state,
                    snap.arxiv_ids,
                    exact,
                    threads,
                    unchanged=lambda: len(exact) == snap.state[0] and not self._dirty,
                )
            with self._lock:
                if self._snapshot.index is not exact:
                    return  # reloaded meanwhile: the next refresh starts again
                graph.sync()  # rows appended during the build
                for position in self._dirty:
                    graph.replace(position, exact.vector(position))
                self._snapshot = replace(self._snapshot, index=graph)

        self._building = threading.Thread(target=build, name="hnsw-build", daemon=True)
        self._building.start()

    def wait_for_graph(self, timeout: float | None = None) -> bool:
        """Block until a background graph build ends (tests, benchmarks); True if none runs.
        The table is looked at first, so vectors written since the last query count."""
        self.invalidate()
        self._current()
        building = self._building
        if building is not None:
            building.join(timeout)
        return building is None or not building.is_alive()

    def _refresh(self, old: _Snapshot, state: tuple[int, int]) -> _Snapshot:
        count, _max_id = state
        if old.index is not None and count >= old.state[0]:
            loaded = self.store.load(self.model, after_id=old.state[1])
            new_ids = [a for a in loaded.arxiv_ids if a not in old.positions]
            if old.state[0] + len(new_ids) == count:
                return self._append(old, state, loaded)
        loaded = self.store.load(self.model)
        if not loaded.arxiv_ids:
            return _Snapshot(state, None, [], np.zeros(0, np.int64), {})
        index = ExactIndex(loaded.matrix.shape[1], loaded.matrix)
        ids = list(loaded.arxiv_ids)
        return _Snapshot(state, index, ids, loaded.row_ids, {a: i for i, a in enumerate(ids)})

    def _append(self, old: _Snapshot, state: tuple[int, int], loaded) -> _Snapshot:
        index = old.index
        ids = list(old.arxiv_ids)
        positions = dict(old.positions)
        row_ids = old.row_ids.copy()
        fresh_rows, fresh_ids, fresh_row_ids = [], [], []
        for arxiv_id, row_id, vector in zip(
            loaded.arxiv_ids, loaded.row_ids, loaded.matrix, strict=True
        ):
            if arxiv_id in positions:  # re-embedded: same position, new vector and row id
                index.replace(positions[arxiv_id], vector)
                self._dirty.add(positions[arxiv_id])
                row_ids[positions[arxiv_id]] = row_id
            else:
                positions[arxiv_id] = len(ids) + len(fresh_ids)
                fresh_ids.append(arxiv_id)
                fresh_rows.append(vector)
                fresh_row_ids.append(row_id)
        if fresh_rows:
            index.add(np.vstack(fresh_rows))
            ids += fresh_ids
            row_ids = np.concatenate([row_ids, np.asarray(fresh_row_ids, np.int64)])
        return _Snapshot(state, index, ids, row_ids, positions)

    def invalidate(self) -> None:
        self._checked = float("-inf")

    # --- queries --------------------------------------------------------------------------
    def count(self) -> int:
        return len(self._current().arxiv_ids)

    def empty(self) -> bool:
        return self.count() == 0

    def _allowed_cached(self, snap: _Snapshot, filters: SearchFilters) -> np.ndarray:
        """`_allowed`, remembered per filter for this snapshot and data version.

        Looking up every paper's filter costs ~40 ms at 75k papers, and the old way (filter
        the nearest few thousand in SQL, ~20 ms) ran on every search; the set changes only
        when papers or vectors do, so a search with a filter it has seen pays one read
        of the data version (a one-row lookup) instead.
        """
        key = (filters, snap.state, self.versions.current() if self.versions else 0)
        with self._lock:
            found = self._allowed_by_filter.get(key)
            if found is not None:
                self._allowed_by_filter.move_to_end(key)
                return found
        found = self._allowed(snap, filters)
        with self._lock:
            for stale in [k for k in self._allowed_by_filter if k[1:] != key[1:]]:
                del self._allowed_by_filter[stale]  # of older vectors or papers
            self._allowed_by_filter[key] = found
            while len(self._allowed_by_filter) > self.filters_kept:
                self._allowed_by_filter.popitem(last=False)
        return found

    def _allowed(self, snap: _Snapshot, filters: SearchFilters) -> np.ndarray:
        """Positions whose papers pass `filters` (and are visible): from the papers the
        keyword index keeps for the filter, so both legs of a search read them once."""
        positions = snap.positions
        passing = self.keyword_index.passing_papers(filters).values()
        found = np.fromiter((positions[a] for a in passing if a in positions), np.int64)
        return np.sort(found)

    def search(
        self, query: np.ndarray, k: int, filters: SearchFilters = SearchFilters()
    ) -> list[tuple[str, float]]:
        snap = self._current()
        if snap.index is None or k <= 0:
            return []
        if filters.active:
            # The positions passing the filter, kept while neither the vectors nor the
            # papers change (the data version): then the search is one exact pass over them.
            allowed = self._allowed_cached(snap, filters)
            positions, sims = snap.index.search(query, k, allowed)
            return [(snap.arxiv_ids[p], float(s)) for p, s in zip(positions, sims, strict=True)]
        # Hidden papers are rare: ask for a few more, drop the hidden ones.
        positions, sims = snap.index.search(query, k + 10 + k // 10)
        found = [(snap.arxiv_ids[p], float(s)) for p, s in zip(positions, sims, strict=True)]
        hidden = self.keyword_index.hidden_papers()  # every vector's paper exists (FK)
        return [(a, s) for a, s in found if a not in hidden][:k]

    def similarities(self, query: np.ndarray, ids: list[str]) -> dict[str, float]:
        snap = self._current()
        known = [a for a in ids if a in snap.positions]
        if snap.index is None or not known:
            return {}
        positions = np.asarray([snap.positions[a] for a in known], np.int64)
        sims = snap.index.similarities(query, positions)
        return {a: float(s) for a, s in zip(known, sims, strict=True)}

    def vector(self, arxiv_id: str) -> np.ndarray | None:
        snap = self._current()
        position = snap.positions.get(arxiv_id)
        return None if position is None or snap.index is None else snap.index.vector(position)

    def neighbours(
        self, arxiv_id: str, k: int, filters: SearchFilters = SearchFilters()
    ) -> list[tuple[str, float]]:
        vector = self.vector(arxiv_id)
        if vector is None:
            return []
        found = self.search(vector, k + 1, filters)
        return [(a, s) for a, s in found if a != arxiv_id][:k]


class DatabaseVectors:
    """PostgreSQL + pgvector: every query runs in the database.

    Counting the model's vectors is a scan of the embeddings table (0.7-2.7 s at 1M papers),
    so `count` (behind a search's `embedded_fraction`) is read at most every
    `count_interval_s`; whether there is any vector at all (which decides whether semantic
    search runs) is an index probe, asked every `CHECK_INTERVAL_S` until the answer is yes.
    """

    def __init__(
        self, store: EmbeddingStore, model: str, count_interval_s: float = CHECK_INTERVAL_S
    ) -> None:
        self.store = store
        self.model = model
        self.count_interval_s = count_interval_s
        self._count = (float("-inf"), 0)
        self._any = (float("-inf"), False)

    def invalidate(self) -> None:
        self._count = (float("-inf"), 0)
        self._any = (float("-inf"), False)

    def wait_for_graph(self, timeout: float | None = None) -> bool:
        return True  # pgvector's HNSW index is the database's, kept up as rows are written

    def count(self) -> int:
        checked, count = self._count
        if time.monotonic() - checked > self.count_interval_s:
            count = self.store.count(self.model)
            self._count = (time.monotonic(), count)
        return count

    def empty(self) -> bool:
        checked, seen = self._any
        if not seen and time.monotonic() - checked > CHECK_INTERVAL_S:
            seen = self.store.has_any(self.model)
            self._any = (time.monotonic(), seen)
            if seen:  # the first vectors arrived (another process indexed): count them now
                self._count = (float("-inf"), 0)
        return not seen

    def search(
        self, query: np.ndarray, k: int, filters: SearchFilters = SearchFilters()
    ) -> list[tuple[str, float]]:
        ef = 4 * k if filters.active else 2 * k
        return self.store.nearest(self.model, query, k=k, filters=filters, ef_search=ef)

    def similarities(self, query: np.ndarray, ids: list[str]) -> dict[str, float]:
        return self.store.similarities(self.model, query, ids)

    def neighbours(
        self, arxiv_id: str, k: int, filters: SearchFilters = SearchFilters()
    ) -> list[tuple[str, float]]:
        return self.store.nearest_to_paper(self.model, arxiv_id, k=k, filters=filters)
