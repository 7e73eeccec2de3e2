"""Serving HTTP: the address, worker processes, the page cache, CORS, caching headers, compression,
request limits, logs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dailypapers.config.section import Section


class WebSettings(Section):
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
    web_workers: int = Field(
        1,
        ge=1,
        description="Web processes `dailypapers serve` runs on its port (`--workers`); each has "
        "its own connection pool (db_pool_size) and page cache.",
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
    log_format: Literal["text", "json"] = Field(
        "text",
        description="How `serve`, `worker` and the other commands write their log lines to "
        'stderr: "text" for a terminal, or "json" for a log collector: one JSON object a line '
        "(timestamp, level, logger, message, exception; request_id, method, path, status, "
        "duration_ms and client on the access lines; docs/scale-out.md).",
    )
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
    server_timing: bool = Field(
        False,
        description="Add a Server-Timing header (the app's own time per response) for "
        "benchmarks and dev tools. Off by default: it tells anyone how long each answer took, "
        "e.g. whether an address has an account.",
    )
