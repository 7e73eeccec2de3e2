"""Search and embeddings: the model, the hybrid search's candidates, weights and floors, the vector
index, keyphrases.
"""

from __future__ import annotations

from pydantic import Field

from dailypapers.config.section import Section


class SearchSettings(Section):
    embedding_max_tokens: int = Field(
        256, ge=16, le=512, description="Tokens of title+abstract the embedding model reads."
    )
    embedding_threads: int | None = Field(
        None, ge=1, description="CPU threads for the embedding model (default: all cores)."
    )
    embedding_providers: list[str] = Field(
        ["CPUExecutionProvider"],
        description="onnxruntime execution providers for the embedding model, in order of "
        'preference (a JSON list, e.g. `["CUDAExecutionProvider"]` with the `gpu` extra); '
        "providers this onnxruntime lacks are skipped with a warning, and the CPU is always "
        "the last resort (docs/scale-out.md, GPU embedding).",
    )
    embedding_batch_size: int = Field(
        64,
        ge=1,
        le=10_000,
        description="Papers `dailypapers index` embeds and commits together (one resumable step).",
    )
    search_candidates: int = Field(
        100,
        ge=10,
        le=1000,
        description="Papers the keyword retriever hands to hybrid fusion, and the semantic "
        "one to a semantic-only search.",
    )
    search_semantic_candidates: int = Field(
        100,
        ge=10,
        le=1000,
        description="Papers the semantic retriever hands to hybrid fusion (semantic-only "
        "searches take search_candidates). 50 is 1-2 ms faster at the same nDCG@10 but "
        "~0.01 lower recall@100 on the classic collections.",
    )
    search_max_results: int = Field(
        200,
        ge=10,
        le=5000,
        description="Most results one search returns over all its pages.",
    )
    search_keyword_weight: float = Field(
        0.35,
        ge=0.0,
        le=1.0,
        description="Weight of the keyword score in hybrid fusion (the rest is semantic); "
        "0.35 measured best on SciFact train.",
    )
    search_short_query_keyword_weight: float = Field(
        0.95,
        ge=0.0,
        le=1.0,
        description="Weight of the keyword score in hybrid fusion for short queries (at most "
        "`search_short_query_words` words): topics and names people type, tuned on the "
        "short-query tune split (`tools/tune_short_fusion.py --shape short`, docs/search.md).",
    )
    search_short_query_words: int = Field(
        3,
        ge=0,
        le=50,
        description="Queries of at most this many words use `search_short_query_keyword_weight`.",
    )
    search_keyphrase_facets: int = Field(
        8,
        ge=0,
        le=50,
        description="How many keyphrases shared by a page's hits (HF's `ai_keywords`, else the "
        "computed ones) the search page offers as narrower searches; 0 offers none.",
    )
    search_keyword_list_keyword_weight: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Weight of the keyword score in hybrid fusion for a list of keywords: a "
        "query of more than `search_short_query_words` words with no stopword and no quotes "
        "(search/query_shape.py), tuned on the short-query tune split "
        "(`tools/tune_short_fusion.py --shape keywords`, docs/search.md).",
    )
    search_phrase_query_keyword_weight: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Weight of the keyword score in hybrid fusion for a query of quoted phrases "
        "only (search/query_shape.py): every candidate holds the phrases, so meaning ranks "
        "them; tuned on the short-query tune split's quoted phrases "
        "(`tools/tune_short_fusion.py --shape phrase`, docs/search.md).",
    )
    search_min_and_hits: int = Field(
        10,
        ge=0,
        description="A keyword search first requires every word; with fewer hits than this it "
        "also takes papers matching any word.",
    )
    search_semantic_floor: float = Field(
        0.35,
        ge=0.0,
        le=1.0,
        description="In hybrid and semantic search, a paper whose best similarity to the query "
        "is below this is left out unless it holds every query word (0 turns it off). 0.35 "
        "costs nothing on SciFact train and cuts the weakest tail (docs/search.md).",
    )
    search_query_floor: float = Field(
        0.42,
        ge=0.0,
        le=1.0,
        description="In hybrid and semantic search, a query finds nothing when no paper holds "
        "every query word and none is at least this similar: gibberish and markup reach 0.25-0.40 "
        "on the demo data, real topics 0.58+ (0 turns it off; docs/search.md).",
    )
    search_vocabulary_refresh_s: float = Field(
        3600.0,
        ge=0.0,
        description="How old the spelling vocabulary (the words of all titles, read when a "
        "search first finds no keyword match) may get before it is read again.",
    )
    similar_papers_max: int = Field(
        50, ge=1, description="Most similar papers one request may ask for."
    )
    search_keyword_rank_limit: int = Field(
        2_000,
        ge=100,
        description="PostgreSQL: most papers one keyword query scores with ts_rank. A common "
        "word matches a large share of the corpus, and ts_rank reads every match's tsvector "
        "(1M papers: seconds); past this many matches, the first this-many in table order "
        "are ranked, and an 'any' query takes them from its rarest words "
        "(storage/tsvector_index.py; docs/scale-out.md).",
    )
    search_paper_count_interval_s: float = Field(
        60.0,
        ge=0.0,
        description="How old the counts behind a search's `embedded_fraction` may get: the "
        "visible papers, and on PostgreSQL the embedded ones. Counting scans a table (SQLite, "
        "75k papers: ~100 ms; PostgreSQL, 1M embeddings: 0.7-2.7 s), which every web process "
        "paid every 5 s (papers) and 1 s (embeddings) before; an import takes minutes to "
        "embed anyway. Whether any vector exists is still checked every second.",
    )
    search_filter_cache_size: int = Field(
        16,
        ge=1,
        description="SQLite: search filters (category, dates, has code) whose passing papers, "
        "and their vector positions, each process keeps for the current data version, so a "
        "filtered search need not look up every paper's filter (~40 ms at 75k papers).",
    )
    search_vector_threads: int = Field(
        2,
        ge=1,
        description="Threads one exact vector product (SQLite, up to vector_index_exact_limit "
        "vectors) is split over, by row blocks on one BLAS thread each: the product reads the "
        "whole matrix (115 MB at 75k vectors), and one core can't draw the memory bandwidth. "
        "On 2 cores a 75k x 384 product took 8.8 ms on one thread, 5 ms split in two.",
    )
    search_blas_threads: int = Field(
        1,
        ge=1,
        description="BLAS threads for numpy's matrix products in a process that searches "
        "(the exact vector index, sentence re-ranking): concurrent requests beat one "
        "parallel product, and OpenBLAS's idle threads spin. On 2 cores one 75k x 384 "
        "product took 8.7 ms wall / 8.6 ms CPU on one thread, 24 ms / 17 ms on two.",
    )
    vector_index_exact_limit: int = Field(
        20_000,
        ge=0,
        description="SQLite: up to this many vectors are searched exactly; beyond, an HNSW "
        "graph (hnswlib) answers once built in the background (75k vectors: ~7 s, 1M: ~100 s), "
        "by the first process that needs it, which writes it to <data_dir>/vector-graphs (75k: "
        "126 MB) for the others and for restarts to read (0.2 s). The exact product reads every "
        "vector: ~12 ms of CPU a search at 75k, the graph ~1 ms (docs/search.md). Its "
        "recall@100 against exact on SciFact's real vectors: 0.996 (ef = 2k, as pgvector's). "
        "A graph keeps its own copy of the vectors (75k: +115 MB a process).",
    )
    keyphrases_per_paper: int = Field(
        5,
        ge=1,
        le=20,
        description="Keyphrases computed for a paper without Hugging Face's `ai_keywords`.",
    )
    keyphrase_candidates: int = Field(
        20,
        ge=1,
        le=200,
        description="Candidate phrases per paper embedded to choose its keyphrases from "
        "(more: better picks, slower indexing).",
    )
    keyphrase_diversity_weight: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Keyphrase choice (MMR): 1 picks by similarity to the paper only, lower "
        "values prefer phrases unlike those already picked.",
    )
