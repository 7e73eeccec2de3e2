"""A later arXiv listing import does not blur what HF's client reads about a paper."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap
from tests.databases import sqlite_copy
from tests.web.support import api_fixture, fixed_clock


def test_an_arxiv_listing_after_hf_keeps_hfs_precise_published_time(tmp_path: Path) -> None:
    url = sqlite_copy(tmp_path / "dailypapers.db")
    services = bootstrap(Settings(data_dir=tmp_path, database_url=url), clock=fixed_clock)
    services.upgrade_schema()
    listing = tmp_path / "listing.jsonl.gz"
    with gzip.open(listing, "wt") as out:  # the shared arXiv listing row of this paper
        row = {
            "id": "2507.17744",
            "title": "Yume: An Interactive World Generation Model",
            "authors": ["Xiaofeng Mao"],
            "abstract": "Yume aims to use images, text, or videos.",
            "categories": ["cs.AI", "cs.CV"],
            "first_listed": "2025-07-24",
            "listed_dates": ["2025-07-24"],
        }
        out.write(json.dumps(row) + "\n")
    try:
        services.imports.import_file(api_fixture("2025-07-24"), "hf-daily")
        services.imports.import_file(listing, "arxiv-snapshot", feature=False)
        with TestClient(create_app(services)) as client:
            paper = client.get("/api/papers/2507.17744").json()
    finally:
        services.close()

    assert paper["publishedAt"] == "2025-07-23T17:57:09.000Z"
