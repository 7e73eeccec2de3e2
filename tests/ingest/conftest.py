"""Fixtures of the live-ingest tests: a recorded upstream server and services aimed at it.

`ingest_services` runs on a real SQLite file and a real PostgreSQL (the `database_url`
fixture); `sqlite_ingest` on SQLite only, for the HTTP fault cases whose storage side is
the same on both. Retries are fast (10 ms backoff) and the per-host delay is 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.services.bootstrap import Services
from tests.conftest import make_services
from tests.databases import sqlite_copy
from tests.ingest.server import RecordedServer


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    recorded = RecordedServer().start()
    yield recorded
    recorded.stop()


def upstream_settings(server: RecordedServer, **overrides: object) -> dict[str, object]:
    return {
        "arxiv_api_url": f"{server.url}/api/query",
        "arxiv_oai_url": f"{server.url}/oai",
        "hf_api_url": f"{server.url}/api",
        "arxiv_categories": "cs.CL",
        "arxiv_page_size": 5,
        "oai_set": "cs",
        "http_host_delay_s": 0,
        "http_backoff_s": 0.01,
        "http_backoff_max_s": 0.05,
        "http_max_tries": 4,
        "http_connect_timeout_s": 2,
        "http_read_timeout_s": 2,
        "http_contact": "mailto:ops@example.org",
        "ingest_lease_s": 30,
        **overrides,
    }


@pytest.fixture
def ingest_services(
    tmp_path: Path, database_url: str, server: RecordedServer
) -> Iterator[Services]:
    services = make_services(tmp_path, database_url, **upstream_settings(server))
    yield services
    services.close()


@pytest.fixture
def sqlite_ingest(tmp_path: Path, server: RecordedServer) -> Iterator[Services]:
    url = sqlite_copy(tmp_path / "ingest.db")
    services = make_services(tmp_path, url, **upstream_settings(server))
    yield services
    services.close()
