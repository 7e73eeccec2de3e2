"""HNSW graphs kept on disk, so the processes of one SQLite site build each graph once.

Every `serve` worker holds the site's vectors in memory (search/vector_search.py
`MemoryVectors`) and, past `vector_index_exact_limit`, an HNSW graph over them. Built by each
process, that was one build per worker after every start (75k vectors: ~7 s of a core each,
1M: ~100 s each), on the cores that serve the requests meanwhile. Here the first process
that needs the graph of the table's current state builds it under a file lock and writes it;
the others wait on the lock (exact search answers them meanwhile) and read the file. A
restart with unchanged vectors builds nothing.

A file is named by the model, the table's state (rows, max id) and a digest of the papers
in position order, and holds the graph of exactly the vectors `EmbeddingStore.load` returns
in that state, in that order (the digest keeps a database loaded anew in the same data
folder, whose ids start again, from reading another's graph). A graph read from a file must
hold the same vectors as the table at a sample of positions, or it is built again. A graph
is written only if no vector was added or replaced while it was built; files of other
states are then removed. A file that can't be read is built again and replaced.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dailypapers.search.vectors import ExactIndex, HnswIndex

log = logging.getLogger(__name__)

SAMPLE = 64  # positions whose vectors a graph read from a file must share with the table


def _stem(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", model)


class GraphFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder  # <data_dir>/vector-graphs

    def path(self, model: str, state: tuple[int, int], arxiv_ids: Sequence[str]) -> Path:
        """Where the graph of `model`'s vectors in `state` (papers in position order) lives."""
        digest = hashlib.sha256("\n".join(arxiv_ids).encode()).hexdigest()[:16]
        return self.folder / f"{_stem(model)}-{state[0]}-{state[1]}-{digest}.hnsw"

    def obtain(
        self,
        model: str,
        state: tuple[int, int],
        arxiv_ids: Sequence[str],
        exact: ExactIndex,
        threads: int,
        unchanged: Callable[[], bool],
    ) -> HnswIndex:
        """The graph over `exact` (`arxiv_ids` at its positions) in `state`: read from its
        file, or built (and written, if `unchanged()` says no vector moved meanwhile). Other
        processes wait meanwhile."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem, path = _stem(model), self.path(model, state, arxiv_ids)
        with open(self.folder / f"{stem}.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.is_file():
                try:
                    started = time.perf_counter()
                    graph = HnswIndex.load(path, exact, threads=threads)
                    if not graph.holds_its_rows(SAMPLE):
                        raise ValueError("its vectors are not the table's")
                    log.info(
                        "read the HNSW graph of %d vectors from %s in %.1f s",
                        state[0],
                        path.name,
                        time.perf_counter() - started,
                    )
                    return graph
                except (OSError, RuntimeError, ValueError) as exc:  # hnswlib: RuntimeError
                    log.warning("HNSW graph file %s unreadable (%s): building it again", path, exc)
            started = time.perf_counter()
            graph = HnswIndex(exact.dim, exact=exact, threads=threads)
            log.info(
                "built the HNSW graph of %d vectors in %.1f s",
                len(graph),
                time.perf_counter() - started,
            )
            if unchanged():
                partial = path.with_suffix(f".{os.getpid()}.partial")
                graph.save(partial)
                os.replace(partial, path)
                for other in self.folder.glob(f"{stem}-*"):
                    if other != path:  # older states; under the lock, a .partial is stale
                        other.unlink(missing_ok=True)
            return graph
