"""A live server holding the three recorded HF days, for tests that act as real clients do.

`huggingface_hub`, feedparser and httpx talk to it over a real socket, as an integrator's
program would. The database is built once per module and only read by the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import sqlite_copy
from tests.live_server import LiveServer, free_port
from tests.web.support import api_fixture, fixed_clock

FIXTURE_DAYS = ("2024-05-27", "2025-07-24", "2026-08-21")


@dataclass(frozen=True)
class Live:
    base_url: str
    services: Services


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    port = free_port()
    data_dir = tmp_path_factory.mktemp("live")
    settings = Settings(
        data_dir=data_dir,
        database_url=sqlite_copy(data_dir / "dailypapers.db"),
        base_url=f"http://127.0.0.1:{port}",
    )
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    try:
        for day in FIXTURE_DAYS:
            report = services.imports.import_file(api_fixture(day), "hf-daily")
            assert report.skipped == 0, report.errors
        with LiveServer(create_app(services), port) as base_url:
            yield Live(base_url, services)
    finally:
        services.close()
