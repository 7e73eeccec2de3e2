"""The search engine: keyword + vector retrieval, fused, with rationales, behind one interface.

Services call `SearchEngine` (made by `build_engine`, the one place that picks backends for
a database) for search, similar papers and index status, and `recipe` for what to embed.
Inside: keyword strategy (`keyword`) over storage's FTS5/tsvector indexes, vector indexes
(`vectors`: numpy exact, hnswlib; `vector_search`: in memory on SQLite, pgvector on
PostgreSQL), the embedding model and recipe (`embedder`, `onnx_minilm`, `sentences`,
`recipe`, `vector_files`), fusion and rationales.

Layering (DESIGN's "Layers", checked by import-linter): services -> search -> storage ->
domain. Search sits *above* storage, not beside it, because it needs the data storage owns
(keyword SQL in `storage.keyword_index`, vectors in `storage.embeddings`) while the contract
"only storage knows SQL" keeps every SQL statement there; before this package existed, the
hybrid engine and the vector indexes had to live in `services` only to be allowed to reach
storage. Nothing in storage, ingest or mail imports search.
"""

from dailypapers.search.backends import build_engine
from dailypapers.search.engine import SearchEngine, SearchStatus

__all__ = ["SearchEngine", "SearchStatus", "build_engine"]
