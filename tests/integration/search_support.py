"""Fixtures for the search tests: real HF rows, the real int8 embedder, precomputed vectors.

Import the fixtures into a test module by name (`from tests.integration.search_support
import ...`). The model is built once per session into a temporary folder (seconds); the
vectors of the first EMBEDDED papers are computed once per session with the real embedder
and loaded into each test's database through `EmbeddingService.import_vectors`, so tests on
both databases don't each pay for embedding.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.search.recipe import embed_papers
from dailypapers.search.vector_files import write_vectors
from dailypapers.services.bootstrap import Services, bootstrap
from tests.conftest import FIXED_NOW, NewDatabase
from tests.databases import hf_daily_at, sqlite_copy

SAMPLE_ROWS = 300  # real HF daily-papers rows imported by most tests
EMBEDDED = 80  # of those, papers (by arxiv id) with precomputed vectors


@pytest.fixture(scope="session")
def minilm(tmp_path_factory: pytest.TempPathFactory, model_weights: None) -> MiniLMEmbedder:
    return MiniLMEmbedder(tmp_path_factory.mktemp("minilm"), threads=2)


@pytest.fixture(scope="session")
def hf_sample(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The first SAMPLE_ROWS rows of the shared HF daily-papers set, as a JSONL file."""
    path = tmp_path_factory.mktemp("hf") / "sample.jsonl"
    source = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as rows, path.open("w") as out:
        out.writelines(itertools.islice(rows, SAMPLE_ROWS))
    return path


def ticking_clock(start: datetime = FIXED_NOW) -> Callable[[], datetime]:
    """A clock that moves on a second per reading, as real time does between steps."""
    ticks = itertools.count()
    return lambda: start + timedelta(seconds=next(ticks))


def open_services(
    data_dir: Path,
    database_url: str,
    embedder: MiniLMEmbedder,
    clock: Callable[[], datetime] = lambda: FIXED_NOW,
    **settings: object,
) -> Services:
    services = bootstrap(
        Settings(data_dir=data_dir, database_url=database_url, **settings),
        clock=clock,
        embedder=embedder,
    )
    services.upgrade_schema()
    return services


@pytest.fixture
def make_services() -> Callable[..., Services]:
    """`open_services` for tests that open their own database."""
    return open_services


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return ticking_clock()


@pytest.fixture(scope="session")
def sample_vectors(
    tmp_path_factory: pytest.TempPathFactory, hf_sample: Path, minilm: MiniLMEmbedder
) -> Path:
    """Vectors of the first EMBEDDED sample papers, in the `write_vectors` file format."""
    folder = tmp_path_factory.mktemp("vectors")
    services = open_services(folder, sqlite_copy(folder / "v.db"), minilm)
    try:
        services.imports.import_file(hf_sample, "hf-daily")
        pending = services.embedding.store.pending(services.embedding.model, limit=EMBEDDED)
        records = embed_papers(
            minilm, [(p.arxiv_id, p.title, p.abstract) for p in pending], services.embedding.model
        )
    finally:
        services.close()
    path = folder / "sample.npz"
    write_vectors(path, minilm.name, records)
    return path


@pytest.fixture
def search_services(
    tmp_path: Path, new_database: NewDatabase, minilm: MiniLMEmbedder, hf_sample: Path
) -> Iterator[Services]:
    """A database of the test's own on SQLite / PostgreSQL with the sample imported, nothing
    embedded: a copy of a template the sample was imported into once (tests/databases.py)."""
    services = open_services(tmp_path, new_database(hf_daily_at(FIXED_NOW, hf_sample)), minilm)
    assert services.papers.count() == SAMPLE_ROWS
    yield services
    services.close()


@pytest.fixture
def embedded_services(search_services: Services, sample_vectors: Path) -> Services:
    """The sample with vectors for its first EMBEDDED papers."""
    assert search_services.embedding.import_vectors(sample_vectors) == EMBEDDED
    return search_services


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like `database_url`, but one database per module: for tests that only read."""
    if request.param == "sqlite":
        yield sqlite_copy(tmp_path_factory.mktemp("db") / "search.db")
        return
    with request.getfixturevalue("pg_templates").copy(prefix="m_") as url:
        yield url


@pytest.fixture(scope="module")
def readonly_services(
    module_database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    minilm: MiniLMEmbedder,
    hf_sample: Path,
    sample_vectors: Path,
) -> Iterator[Services]:
    """The sample, with vectors for its first EMBEDDED papers, shared by a module's tests.

    Tests using it must not write.
    """
    services = open_services(tmp_path_factory.mktemp("ro"), module_database_url, minilm)
    assert services.imports.import_file(hf_sample, "hf-daily").inserted == SAMPLE_ROWS
    assert services.embedding.import_vectors(sample_vectors) == EMBEDDED
    yield services
    services.close()
