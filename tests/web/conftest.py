"""Fixtures for in-process HTTP tests: real SQLite files, real imports, the real app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import MIGRATED, Recipe, demo_at, sqlite_copy
from tests.web.support import FIXED_NOW, fixed_clock


def _make_services(data_dir: Path, recipe: Recipe = MIGRATED, **settings: object) -> Services:
    """Services on a copy of the session's `recipe` template, in the default place."""
    url = sqlite_copy(data_dir / "dailypapers.db", recipe)
    services = bootstrap(
        Settings(data_dir=data_dir, database_url=url, **settings), clock=fixed_clock
    )
    services.upgrade_schema()
    return services


@pytest.fixture(scope="session")
def demo_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The bundled demo data (HF daily papers 2026-06-08 .. 2026-08-21), a copy of the demo
    template (tests/databases.py).

    Shared by many tests: read only. Tests that write use `make_client` or their own copy.
    """
    services = _make_services(tmp_path_factory.mktemp("demo"), demo_at(FIXED_NOW))
    assert services.papers.count() > 1000
    yield services
    services.close()


@pytest.fixture(scope="session")
def demo_client(demo_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(demo_services)) as client:
        yield client


MakeClient = Callable[..., tuple[TestClient, Services]]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """A fresh database with the given files imported (`hf-daily`), and a client on it."""
    made: list[tuple[TestClient, Services]] = []

    def make(
        *files: Path, raise_server_exceptions: bool = True, **settings: object
    ) -> tuple[TestClient, Services]:
        services = _make_services(tmp_path / f"db{len(made)}", **settings)
        for path in files:
            report = services.imports.import_file(path, "hf-daily")
            assert report.skipped == 0, report.errors
        client = TestClient(
            create_app(services),
            base_url=services.settings.base_url,  # so Secure cookies round-trip on https
            raise_server_exceptions=raise_server_exceptions,
        )
        made.append((client, services))
        return client, services

    yield make
    for client, services in made:
        client.close()
        services.close()
