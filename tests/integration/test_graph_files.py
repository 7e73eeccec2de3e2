"""A SQLite site's HNSW graph is built once for all its processes and kept on disk
(search/graph_files.py): each `Services` here stands for one `serve` worker on the same
database and data folder."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from dailypapers.search.vectors import HnswIndex
from dailypapers.services.bootstrap import Services
from dailypapers.storage.embeddings import EmbeddingRecord
from tests.databases import sqlite_copy

pytest_plugins = ("tests.integration.search_support",)

QUERY = "3D reconstruction of object parts from a single image"


@pytest.fixture
def site(tmp_path: Path, minilm, hf_sample: Path, sample_vectors: Path, make_services):
    """Opens worker processes' services on one SQLite site with 80 vectors (graph past 20)."""
    opened: list[Services] = []
    url = sqlite_copy(tmp_path / "site.db")

    def worker() -> Services:
        services = make_services(tmp_path, url, minilm, vector_index_exact_limit=20)
        opened.append(services)
        return services

    first = worker()
    first.imports.import_file(hf_sample, "hf-daily")
    first.embedding.import_vectors(sample_vectors)
    yield worker
    for services in opened:
        services.close()


def _graph(services: Services) -> HnswIndex:
    assert services.search.wait_for_vector_index(timeout=60)
    index = services.search.engine.vectors._current().index
    assert isinstance(index, HnswIndex)
    return index


def _files(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "vector-graphs").glob("*.hnsw"))


def _found(services: Services) -> list[str]:
    return [h.paper.arxiv_id for h in services.search.search(QUERY, mode="semantic").hits]


def test_the_first_worker_builds_the_graph_and_the_others_read_it(
    site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dailypapers.search.graph_files")
    first = site()
    _graph(first)
    (name,) = _files(tmp_path)
    assert name.startswith("all-MiniLM-L6-v2-int8-80-80-")  # model, rows, max id, papers
    assert [r.message.split(" in ")[0] for r in caplog.records] == [
        "built the HNSW graph of 80 vectors"
    ]
    caplog.clear()

    second = site()  # another worker, or the first after a restart
    _graph(second)
    assert [r.message.split(" from ")[0] for r in caplog.records] == [
        "read the HNSW graph of 80 vectors"
    ]
    assert _found(second) == _found(first)


def test_an_unreadable_graph_file_is_built_again_and_replaced(
    site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _graph(site())
    (path,) = (tmp_path / "vector-graphs").glob("*.hnsw")
    path.write_bytes(b"not a graph")  # a disk fault, a copy cut short
    caplog.set_level(logging.INFO, logger="dailypapers.search.graph_files")
    second = site()
    assert _found(second)  # answered (exactly) while the graph is built again
    _graph(second)
    assert "unreadable" in caplog.records[0].message
    assert caplog.records[1].message.startswith("built the HNSW graph of 80 vectors")
    caplog.clear()
    _graph(site())
    assert caplog.records[0].message.startswith("read the HNSW graph of 80 vectors")


def test_changed_vectors_get_a_new_graph_file_and_the_old_one_goes(site, tmp_path: Path) -> None:
    first = site()
    _graph(first)
    old = _files(tmp_path)
    store = first.search.engine.embeddings
    model = first.embedding.model
    paper = first.search.engine.vectors._current().arxiv_ids[0]
    vector = first.search.engine.vectors.vector(paper)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    store.save(model, [EmbeddingRecord(paper, "re-embedded", vector)], checked_at=now)

    _graph(site())  # a worker started after the paper was embedded again
    new = _files(tmp_path)
    assert new != old and len(new) == 1 and "-80-81-" in new[0]  # rows 80, max id 81


def test_a_worker_that_only_grew_its_graph_in_memory_writes_no_file(site, tmp_path) -> None:
    """Vectors that arrive while a worker runs join its graph in memory; the file keeps the
    state it was built for, and the next worker to start builds the new state's."""
    first = site()
    graph = _graph(first)
    before = _files(tmp_path)
    store, model = first.search.engine.embeddings, first.embedding.model
    vectors = first.search.engine.vectors
    paper = vectors._current().arxiv_ids[1]
    now = datetime(2026, 11, 30, tzinfo=UTC)
    store.save(model, [EmbeddingRecord(paper, "again", vectors.vector(paper))], checked_at=now)
    vectors.invalidate()
    assert vectors._current().index is graph  # kept, with the row replaced in place
    assert _files(tmp_path) == before


def test_a_graph_file_of_other_vectors_is_not_used(
    site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Say the database was loaded anew (ids start again) in the same data folder: a file
    under the expected name holding other vectors is built again, not searched."""
    first = site()
    _graph(first)
    (path,) = (tmp_path / "vector-graphs").glob("*.hnsw")
    snapshot = first.search.engine.vectors._current()
    other = np.roll(snapshot.index.matrix, 1, axis=0)  # every paper moved one position
    HnswIndex(other.shape[1], other, threads=1).save(path)
    caplog.set_level(logging.INFO, logger="dailypapers.search.graph_files")
    second = site()
    _graph(second)
    assert "not the table's" in caplog.records[0].message
    assert caplog.records[1].message.startswith("built the HNSW graph of 80 vectors")
    assert _found(second) == _found(first)
