"""Which search backends a database gets, and the process-wide settings searching needs.

`build_engine` is the one place that chooses: SQLite gets FTS5 and an in-memory numpy/HNSW
index (search/vector_search.py `MemoryVectors`), PostgreSQL gets tsvector
(storage/tsvector_index.py) and pgvector (`DatabaseVectors`). It also sets the process's
BLAS threads and the threads an exact vector product is split over: process-wide, because
numpy's BLAS is.
"""

from __future__ import annotations

from pathlib import Path

from threadpoolctl import threadpool_limits

from dailypapers.config import SearchSettings
from dailypapers.search.embedder import Embedder
from dailypapers.search.engine import SearchEngine
from dailypapers.search.graph_files import GraphFiles
from dailypapers.search.recipe import EmbedderSource
from dailypapers.search.vector_search import DatabaseVectors, MemoryVectors, VectorSearch
from dailypapers.search.vectors import set_product_threads
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.embeddings import EmbeddingStore
from dailypapers.storage.keyword_index import Fts5KeywordIndex, KeywordIndex
from dailypapers.storage.tsvector_index import TsvectorKeywordIndex


def build_engine(
    settings: SearchSettings,
    db: Database,
    versions: DataVersionStore,
    *,
    data_dir: Path,
    page_size: int,
    embedder: Embedder | None = None,
) -> SearchEngine:
    """The engine for `db`: FTS5 + in-memory vectors on SQLite, tsvector + pgvector on
    PostgreSQL. `embedder` replaces the MiniLM model loaded on first use (tests share one)."""
    # Process-wide: OpenBLAS threads would split each product and spin between them, while a
    # web process gains more from serving its other requests on the other core.
    threadpool_limits(limits=settings.search_blas_threads, user_api="blas")
    set_product_threads(settings.search_vector_threads)
    embedders = EmbedderSource(
        settings, data_dir / "models", (lambda: embedder) if embedder is not None else None
    )
    embeddings = EmbeddingStore(db)
    keyword_index: KeywordIndex
    vectors: VectorSearch
    if db.is_sqlite:
        keyword_index = Fts5KeywordIndex(
            db, versions, filters_kept=settings.search_filter_cache_size
        )
        vectors = MemoryVectors(
            embeddings,
            keyword_index,
            embedders.model,
            exact_limit=settings.vector_index_exact_limit,
            versions=versions,
            filters_kept=settings.search_filter_cache_size,
            graph_files=GraphFiles(data_dir / "vector-graphs"),
        )
    else:
        keyword_index = TsvectorKeywordIndex(db, settings.search_keyword_rank_limit)
        vectors = DatabaseVectors(
            embeddings, embedders.model, settings.search_paper_count_interval_s
        )
    return SearchEngine(
        settings, keyword_index, embeddings, vectors, embedders, page_size=page_size
    )
