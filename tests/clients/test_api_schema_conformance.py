"""Schemathesis over the read API, on the three recorded HF days plus an arXiv listing: every
answer must match the schema its operation publishes in `/openapi.json` (body, status code,
content type), not only avoid a 5xx (tests/community/test_api_fuzz.py checks that). A client
generated from our OpenAPI document must be able to parse what it gets.

A bounded pass: `DAILYPAPERS_FUZZ_EXAMPLES` examples per operation (default 8), derandomised.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.clients.conftest import FIXTURE_DAYS
from tests.databases import sqlite_copy
from tests.web.support import api_fixture, fixed_clock

EXAMPLES = int(os.environ.get("DAILYPAPERS_FUZZ_EXAMPLES", "8"))
CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]
# The read API: HF's routes, our listings and search. The write routes are fuzzed for 5xx
# in tests/community/test_api_fuzz.py.
READ_API = r"^/api/(daily_papers|papers|papers/search|search|arxiv_listings|papers/\{.*\})$"


@pytest.fixture(scope="module")
def read_services(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("conformance")
    listing = folder / "listing.jsonl"
    with gzip.open(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", "rt") as rows:
        kept = [line for _, line in zip(range(40), rows, strict=False)]
    listing.write_text("".join(kept))
    url = sqlite_copy(folder / "dailypapers.db")
    services = bootstrap(Settings(data_dir=folder, database_url=url), clock=fixed_clock)
    services.upgrade_schema()
    try:
        for day in FIXTURE_DAYS:
            services.imports.import_file(api_fixture(day), "hf-daily")
        services.imports.import_file(listing, "arxiv-snapshot")
        yield services
    finally:
        services.close()


@pytest.fixture(scope="module")
def read_schema(read_services: Services):
    app = create_app(read_services)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("read_schema").include(method="GET", path_regex=READ_API)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_read_api_answer_matches_its_published_schema(case) -> None:
    response = case.call()
    case.validate_response(response, checks=CHECKS)
