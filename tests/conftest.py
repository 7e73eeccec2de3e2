"""Shared fixtures: real SQLite files, a real PostgreSQL 16 + pgvector, the shared data sets.

PostgreSQL comes from the `pgserver` package (a private server in a temp dir, started once per
test session), or from DAILYPAPERS_TEST_PG_URL when that is set. Each test gets a fresh
database on it, so tests never see each other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.postgres_server import fresh_database, postgres_admin_url

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXED_NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data sets are missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL server we may create databases on."""
    with postgres_admin_url() as url:
        yield url


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database (with pgvector available) for one test."""
    with fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on a real SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


def make_services(tmp_path: Path, database_url: str, **overrides: object) -> Services:
    settings = Settings(data_dir=tmp_path, database_url=database_url, **overrides)
    services = bootstrap(settings, clock=lambda: FIXED_NOW)
    services.upgrade_schema()
    return services


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    services = make_services(tmp_path, database_url)
    yield services
    services.close()
