"""Getting papers in: file imports, live ingest from arXiv and Hugging Face, and the one HTTP
client they use.
"""

from __future__ import annotations

from pydantic import Field

from dailypapers.config.section import Section


class IngestSettings(Section):
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
    submission_fetch_timeout_s: float = Field(
        8,
        gt=0,
        description="Seconds a paper submission waits, all tries together, for arXiv to "
        "describe a paper this database lacks; then the form says arXiv did not answer.",
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
