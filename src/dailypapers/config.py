"""The one settings object.

Every limit and knob of the service is a field here, read from the environment
(`DAILYPAPERS_<NAME>`) or a `.env` file. docs/settings.md documents each one; a test fails if a
field is missing there. Nothing else reads environment variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DAILYPAPERS_", env_file=".env", extra="ignore", frozen=True
    )

    # --- storage -------------------------------------------------------------------------
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite database, the embedding model cache and other state.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL: `sqlite:///path.db` or `postgresql://user:pw@host/db`. "
        "Default: a SQLite file `dailypapers.db` inside data_dir.",
    )
    sqlite_busy_timeout_ms: int = Field(
        5000, ge=0, description="How long a SQLite connection waits for a lock before failing."
    )
    sqlite_wal_limit_mb: int = Field(
        64,
        ge=1,
        description="SQLite's write-ahead log is cut back to this size after each checkpoint "
        "(PRAGMA journal_size_limit), and imports checkpoint it when they finish, so bulk "
        "writes under load can't leave it growing without bound.",
    )
    sql_time_limit_ms: int = Field(
        2000,
        ge=0,
        description="A read query on SQLite that has used this much CPU time is cut off (0: no "
        "limit). CPU time, not wall time: on a busy machine ordinary queries wait for a core "
        "and would be cut off with a 503.",
    )
    db_pool_size: int = Field(5, ge=1, description="Read connections kept open per process.")
    db_connect_timeout_s: int = Field(
        5,
        ge=1,
        description="How long a PostgreSQL connection attempt may take before the database "
        "counts as unavailable.",
    )
    db_unavailable_retry_after_s: int = Field(
        5,
        ge=1,
        description="`Retry-After` (seconds) on the 503 a request gets while the database is "
        "unreachable or locked.",
    )
    db_retry_attempts: int = Field(
        30,
        ge=0,
        description="How many times an import or ingest retries a batch whose write failed "
        "because the database was unavailable (0: fail at once).",
    )
    db_retry_delay_s: float = Field(
        1.0,
        ge=0,
        description="First wait before retrying such a batch; it doubles on each try up to "
        "db_retry_max_delay_s.",
    )
    db_retry_max_delay_s: float = Field(
        10.0, ge=0, description="Longest wait between two retries of a batch."
    )

    # --- web and API ---------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `dailypapers serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `dailypapers serve` listens on.")
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are believed (uvicorn's forwarded_allow_ips; `*` for any). "
        "Empty: none, so every client is the socket's peer and nobody can pose as another "
        "address to dodge the per-client limits. Behind a proxy on another host, name it "
        "here, or every client counts as that one proxy.",
    )
    page_cache_enabled: bool = Field(
        True,
        description="Keep rendered pages for anonymous visitors in memory, valid until the next "
        "visible write (web/page_cache.py).",
    )
    page_cache_max_entries: int = Field(
        2000, ge=1, description="Pages the page cache keeps per process (least recently used go)."
    )
    page_cache_max_entry_bytes: int = Field(
        1_000_000, ge=1, description="Responses larger than this are not kept by the page cache."
    )
    page_cache_ttl_s: float = Field(
        30,
        ge=0,
        description="A cached page is rendered again after this long even without writes "
        "(the clock moves: the newest day, trending scores).",
    )
    web_workers: int = Field(
        1,
        ge=1,
        description="Web processes `dailypapers serve` runs on its port (`--workers`); each has "
        "its own connection pool (db_pool_size) and page cache.",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="How `serve`, `worker` and the other commands write their log lines to "
        'stderr: "text" for a terminal, or "json" for a log collector: one JSON object a line '
        "(timestamp, level, logger, message, exception; request_id, method, path, status, "
        "duration_ms and client on the access lines; docs/scale-out.md).",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public URL of the site, used in absolute links (feeds, emails).",
    )
    site_name: str = Field("Daily Papers", description="Name shown in page titles and feeds.")
    page_size: int = Field(50, ge=1, description="Papers per page when `limit` is not given.")
    max_page_size: int = Field(100, ge=1, description="Largest `limit` a request may ask for.")
    max_page_number: int = Field(
        1000, ge=1, description="Largest page number (`p`) a request may ask for."
    )
    max_query_length: int = Field(250, ge=1, description="Longest search query, in characters.")
    max_request_body_bytes: int = Field(
        1_000_000, ge=1, description="Requests with a larger body are refused with 413."
    )
    cors_allowed_origins: list[str] = Field(
        ["*"],
        description="Origins whose web apps may read the read-only API, feeds and Markdown "
        'papers cross-origin (a JSON list, e.g. `["https://lab.example"]`); `["*"]`: any. '
        "Credentials (cookies) are never allowed cross-origin; an empty list turns CORS off.",
    )
    cors_max_age_s: int = Field(
        600, ge=0, description="How long a browser may cache a CORS preflight answer."
    )
    api_cache_max_age_s: int = Field(
        60,
        ge=0,
        description="`Cache-Control: max-age` of anonymous read API answers (they carry an "
        "ETag, so a client revalidates cheaply after that).",
    )
    gzip_minimum_bytes: int = Field(
        1000, ge=0, description="Responses smaller than this are sent uncompressed."
    )

    # --- imports -------------------------------------------------------------------------
    import_batch_size: int = Field(
        1000, ge=1, description="Records upserted per transaction by `dailypapers import`."
    )
    import_writers: int = Field(
        2,
        ge=1,
        le=16,
        description="PostgreSQL: connections an import writes each batch with at once, each "
        "taking the papers of its share of arXiv ids (so the server's work, mostly computing "
        "the keyword vectors, runs on that many cores). SQLite has one writer: always 1 there.",
    )
    bulk_import_min_bytes: int = Field(
        20_000_000,
        ge=0,
        description="Import files at least this large in bulk: the keyword index is built once "
        "at the end instead of row by row (about twice as fast; `import --bulk/--no-bulk`).",
    )
    import_max_line_bytes: int = Field(
        2_000_000,
        ge=1,
        description="An import line longer than this is counted as malformed and skipped.",
    )
    import_max_document_bytes: int = Field(
        100_000_000,
        ge=1,
        description="Largest whole-JSON file (an HF API response) `dailypapers import` reads.",
    )
    max_title_chars: int = Field(1000, ge=1, description="Longer titles are rejected on import.")
    max_abstract_chars: int = Field(
        20_000, ge=1, description="Longer abstracts are rejected on import."
    )
    max_authors: int = Field(
        5000, ge=1, description="Author lists longer than this are cut to this length."
    )

    # --- ranking -------------------------------------------------------------------------
    trending_gravity: float = Field(
        1.8, gt=0, description="Exponent of the age penalty in the trending score."
    )
    trending_window_days: int = Field(
        7, ge=1, description="Only papers featured within this many days can trend."
    )

    # --- recommendations (For you) -------------------------------------------------------
    recs_window_days: int = Field(
        7,
        ge=1,
        le=366,
        description="For-you ranks papers featured within this many days of the newest day "
        "with papers (today on a live site).",
    )
    recs_page_size: int = Field(
        30, ge=1, le=200, description="Recommendations on the For-you page and in the API."
    )
    recs_history_limit: int = Field(
        500,
        ge=1,
        description="Most recent papers per source (upvotes, collections, submissions, 👍) "
        "the model learns from.",
    )
    recs_background_limit: int = Field(
        2000,
        ge=10,
        description="Ordinary papers the model contrasts the history with (a fixed sample "
        "of the window beyond this).",
    )
    recs_author_boost: float = Field(
        1.0, ge=0, description="Score added to a paper by an author the reader follows."
    )
    recs_category_boost: float = Field(
        0.75,
        ge=0,
        description="Score added to a paper in an arXiv category the reader follows (less "
        "than an author's: a category holds many papers). The model's scores of a window "
        "spread over about 1.5 (a standard deviation of about 0.25), so 0.75 lifts a "
        "category's better papers to the top without burying everything else.",
    )
    recs_reason_floor: float = Field(
        0.3,
        ge=-1,
        le=1,
        description="A history paper is named as a reason only this similar (cosine) or more.",
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
    author_page_size: int = Field(
        100, ge=1, le=1000, description="Papers listed on an author's page."
    )

    # --- embeddings ----------------------------------------------------------------------
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

    # --- search --------------------------------------------------------------------------
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

    # --- live ingest (arXiv API, OAI-PMH, HF daily papers) --------------------------------
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query",
        description="arXiv API endpoint (Atom) used by `dailypapers ingest arxiv`.",
    )
    arxiv_oai_url: str = Field(
        "https://oaipmh.arxiv.org/oai",
        description="arXiv OAI-PMH endpoint used by `dailypapers ingest oai`.",
    )
    hf_api_url: str = Field(
        "https://huggingface.co/api",
        description="Hugging Face API root; `dailypapers ingest hf` reads `<root>/daily_papers`.",
    )
    arxiv_categories: str = Field(
        "cs.AI,cs.CL,cs.CV,cs.LG",
        description="Comma-separated arXiv categories `ingest arxiv` asks for by default.",
    )
    arxiv_page_size: int = Field(
        200, ge=1, le=2000, description="Entries per arXiv API request (`max_results`)."
    )
    oai_set: str = Field("cs", description="OAI-PMH set `ingest oai` harvests (e.g. cs, math).")
    oai_metadata_prefix: str = Field(
        "arXiv",
        pattern="^(arXiv|arXivRaw)$",
        description="OAI-PMH metadata format: `arXiv`, or `arXivRaw` (which lists every version).",
    )
    ingest_lookback_days: int = Field(
        2,
        ge=0,
        description="With no --since and no earlier successful run, a run starts this many "
        "days before today.",
    )
    ingest_schedule_utc: str = Field(
        "06:00",
        pattern=r"^\d{1,2}:\d{2}$",
        description="Time of day (UTC, HH:MM) the scheduler runs the daily ingest.",
    )
    ingest_sources: str = Field(
        "hf,arxiv",
        description="Comma-separated sources the daily schedule runs (hf, arxiv, oai; "
        "empty: none).",
    )
    ingest_lease_s: float = Field(
        300,
        gt=0,
        description="How long a run's claim on its source lasts without a heartbeat; a crashed "
        "run's source is free again after this.",
    )
    scheduler_tick_s: float = Field(
        30, gt=0, description="How often the scheduler (in serve or worker) checks for due jobs."
    )
    serve_runs_scheduler: bool = Field(
        True,
        description="Run the scheduler inside `dailypapers serve`; turn off when separate "
        "`dailypapers worker` processes run it.",
    )
    job_lease_s: float = Field(
        60,
        gt=0,
        description="How long a claimed job (an embedding batch) stays with its worker without "
        "a renewal; a job whose worker died is claimed again after this.",
    )
    job_max_attempts: int = Field(
        3,
        ge=1,
        description="Claims of one job before it is marked failed (a job that kills its worker "
        "or keeps failing is not retried forever).",
    )
    jobs_per_tick: int = Field(
        50, ge=1, description="Most queued jobs one scheduler tick runs in one process."
    )
    http_connect_timeout_s: float = Field(
        10, gt=0, description="Seconds to wait for an upstream connection."
    )
    http_read_timeout_s: float = Field(
        60, gt=0, description="Seconds to wait for each read from an upstream server."
    )
    http_max_tries: int = Field(
        5, ge=1, description="Attempts per upstream request before a run fails with the reason."
    )
    http_backoff_s: float = Field(
        2.0, ge=0, description="First retry delay; doubles each try, with random jitter."
    )
    http_backoff_max_s: float = Field(
        120, ge=0, description="Longest delay between retries (without a Retry-After)."
    )
    http_max_retry_after_s: float = Field(
        600,
        ge=0,
        description="A Retry-After longer than this makes the request fail instead of waiting.",
    )
    http_host_delay_s: float = Field(
        3.0,
        ge=0,
        description="Least time between two requests to the same host (arXiv asks for 3 s).",
    )
    http_max_response_bytes: int = Field(
        50_000_000, ge=1, description="Upstream responses larger than this are refused."
    )
    http_contact: str = Field(
        "",
        description="Contact (an email or URL) put in the User-Agent of upstream requests, "
        "as arXiv asks of harvesters.",
    )

    # --- community: accounts, sessions, votes, comments, collections --------------------
    cookie_secure: bool | None = Field(
        None,
        description="Mark session cookies Secure (sent over HTTPS only). Default: on, unless "
        "base_url is http://127.0.0.1, http://localhost or http://[::1] (local development).",
    )
    session_days: int = Field(
        30, ge=1, description="A login lasts this many days; then the user logs in again."
    )
    anonymous_session_hours: int = Field(
        12,
        ge=1,
        description="Lifetime of the pre-login session cookie that carries a logged-out "
        "visitor's CSRF token (login, sign-up and reset forms); nothing is stored for it.",
    )
    signups_open: bool = Field(
        True, description="Anyone may sign up; when off, only `dailypapers users create` adds."
    )
    require_verified_email: bool = Field(
        False,
        description="Users must verify their email address before they vote, submit, comment "
        "or make collections.",
    )
    password_min_chars: int = Field(8, ge=1, description="Shortest password accepted.")
    password_max_chars: int = Field(
        256, ge=8, description="Longest password accepted (hashing cost grows with it)."
    )
    argon2_time_cost: int = Field(
        3, ge=1, description="argon2id passes over memory when hashing a password."
    )
    argon2_memory_cost_kib: int = Field(
        65536, ge=8, description="argon2id memory per password hash, in KiB (64 MiB by default)."
    )
    argon2_parallelism: int = Field(4, ge=1, description="argon2id lanes per password hash.")
    login_max_attempts_per_account: int = Field(
        5,
        ge=1,
        description="Failed logins to one account within login_window_minutes before further "
        "tries are refused with 429; also caps password-reset emails per account.",
    )
    login_max_attempts_per_ip: int = Field(
        30,
        ge=1,
        description="Failed logins from one client address within login_window_minutes before "
        "further tries are refused with 429.",
    )
    login_window_minutes: int = Field(
        15,
        ge=1,
        description="The sliding window the login limits count failures in; an emailed link "
        "that lifts an account's lockout lives as long.",
    )
    mail_sends_per_address_per_hour: int = Field(
        5,
        ge=1,
        description="Mail one action may send to one address (verification resends, reset "
        "and unlock links) within an hour; more are refused with 429 (resets and unlock "
        "links stay silent).",
    )
    mail_sends_per_ip_per_hour: int = Field(
        20,
        ge=1,
        description="Mail-sending actions (sign-up, verification resend, password reset, "
        "login unlock, subscribe) one client address may trigger within an hour; more get 429.",
    )
    signups_per_ip_per_hour: int = Field(
        5, ge=1, description="Accounts one client address may create within an hour (429 after)."
    )
    signups_per_hour: int = Field(
        200, ge=1, description="Accounts the whole site may create within an hour (429 after)."
    )
    server_timing: bool = Field(
        False,
        description="Add a Server-Timing header (the app's own time per response) for "
        "benchmarks and dev tools. Off by default: it tells anyone how long each answer took, "
        "e.g. whether an address has an account.",
    )
    password_hash_concurrency: int = Field(
        2,
        ge=1,
        description="Password hashes (argon2id, argon2_memory_cost_kib each) computed at once "
        "per process; more wait their turn, so a sign-up or login flood can't exhaust memory.",
    )
    password_reset_minutes: int = Field(
        60, ge=1, description="A password-reset link works for this long, and only once."
    )
    email_verification_hours: int = Field(
        48, ge=1, description="An email-verification link works for this long, and only once."
    )
    submission_max_age_days: int = Field(
        14,
        ge=0,
        description="Only papers first published on arXiv at most this many days ago can be "
        "submitted to the daily page.",
    )
    submission_fetch_timeout_s: float = Field(
        8,
        gt=0,
        description="Seconds a paper submission waits, all tries together, for arXiv to "
        "describe a paper this database lacks; then the form says arXiv did not answer.",
    )
    max_comment_chars: int = Field(5000, ge=1, description="Longest comment, in characters.")
    max_collection_name_chars: int = Field(
        100, ge=1, description="Longest collection name, in characters."
    )
    max_collection_description_chars: int = Field(
        1000, ge=0, description="Longest collection description, in characters."
    )
    max_api_tokens_per_user: int = Field(
        20, ge=1, description="API tokens one user may hold at once."
    )

    # --- email digests, mail delivery and Atom feeds ------------------------------------
    mail_backend: Literal["console", "smtp"] = Field(
        "console",
        description="How mail leaves: `smtp` (the smtp_* settings) or `console` (printed to "
        "stdout, for development).",
    )
    mail_from: str = Field(
        "Daily Papers <papers@localhost>",
        description="From address of every mail (digests, confirmations); its domain also "
        "ends each Message-ID.",
    )
    mail_unsubscribe_mailto: str | None = Field(
        None,
        description="An address that unsubscribes whoever mails it, added to List-Unsubscribe "
        "as a mailto: (only if something processes that mailbox; the one-click URL always is).",
    )
    smtp_host: str = Field("localhost", description="SMTP server (mail_backend=smtp).")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="`starttls` (upgrade on connect, port 587), `ssl` (implicit TLS, port 465) "
        "or `none` (a local relay only).",
    )
    smtp_username: str | None = Field(None, description="SMTP login name; no login when unset.")
    smtp_password: SecretStr | None = Field(None, description="SMTP login password.")
    smtp_timeout_s: float = Field(
        30, gt=0, description="Seconds to wait for the SMTP server at each step."
    )
    smtp_rate_limit_per_s: float = Field(
        0,
        ge=0,
        description="Most messages per second one process sends (0: no limit); the provider's "
        "sending limit divided by the number of sending processes.",
    )
    smtp_max_attempts: int = Field(
        4, ge=1, description="Tries per digest on temporary (4xx) failures before it fails."
    )
    smtp_retry_backoff_s: float = Field(
        30, ge=0, description="Wait before the first retry of a temporary failure; doubles."
    )
    digest_max_bounces: int = Field(
        3,
        ge=1,
        description="Permanent failures (5xx) in a row after which an address is suspended.",
    )
    digest_lease_s: float = Field(
        300,
        gt=0,
        description="How long a sender's claim on a digest lasts; a dead sender's unsent "
        "digests are taken over after this.",
    )
    digest_claim_batch: int = Field(20, ge=1, description="Digests a sender claims at a time.")
    digest_resend_uncertain: bool = Field(
        False,
        description="Send again a digest whose sender died after transferring it but before "
        "recording the reply (at least once, may duplicate) instead of not (at most once).",
    )
    digest_max_items: int = Field(20, ge=1, description="Most papers in one digest.")
    digest_section_items: int = Field(
        10,
        ge=1,
        description="Most papers per section of a digest (For you, trending, each search, "
        "each category).",
    )
    digest_feedback_link_days: int = Field(
        30,
        ge=1,
        le=366,
        description="Days a 👍/👎 link in a digest mail works (each works once); after that "
        "its page says the link expired.",
    )
    digest_abstract_chars: int = Field(
        500, ge=50, description="Abstracts in digests are trimmed to this many characters."
    )
    digest_max_lookback_days: int = Field(
        14,
        ge=1,
        description="A digest looks back to the previous one sent, but never further than this.",
    )
    subscription_confirm_hours: int = Field(
        48, ge=1, description="A subscription's confirmation link works for this long."
    )
    subscription_resend_interval_s: int = Field(
        600,
        ge=0,
        description="At most one subscribe mail per address in this many seconds, however "
        "often the form is sent.",
    )
    subscription_max_queries: int = Field(
        5, ge=0, description="Saved searches one subscription may hold."
    )
    subscription_max_categories: int = Field(
        20, ge=0, description="arXiv categories one subscription may follow."
    )
    feed_max_entries: int = Field(50, ge=1, description="Entries in each Atom feed.")
    feed_search_days: int = Field(
        30, ge=1, description="A search feed lists papers of the last this many days."
    )
    feed_tag_authority: str = Field(
        "localhost,2026",
        pattern=r"^[A-Za-z0-9.\-@]+,\d{4}(-\d{2}(-\d{2})?)?$",
        description="`domain,date` of the tag: URIs (RFC 4151) that identify feeds and entries, "
        "e.g. `papers.example.org,2026`. Set it once and never change it: readers use the ids "
        "to tell new entries from seen ones.",
    )
    index_job_batch_limit: int = Field(
        500,
        ge=1,
        description="Papers the scheduler's `index` job embeds at most per tick (about; a batch "
        "is never split). New papers get their vectors without running `dailypapers index`; "
        "a backlog is worked off over several ticks.",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("database_url must start with sqlite:/// or postgresql://")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dailypapers.db').resolve()}"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"
