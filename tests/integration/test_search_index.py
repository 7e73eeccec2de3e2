"""`dailypapers index`: resumable, never redoes finished work, re-embeds changed text."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.domain.papers import SourceRecord
from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.search.vectors import HnswIndex
from dailypapers.services.bootstrap import Services
from dailypapers.storage.tables import embeddings, papers
from tests.databases import sqlite_copy

PAPERS = 12

pytest_plugins = ("tests.integration.search_support",)


@pytest.fixture
def small(
    tmp_path: Path, database_url: str, minilm: MiniLMEmbedder, hf_sample: Path, make_services, clock
) -> Services:
    rows = tmp_path / "rows.jsonl"
    with hf_sample.open() as source:
        rows.write_text("".join(itertools.islice(source, PAPERS)))
    services = make_services(tmp_path, database_url, minilm, clock=clock)
    assert services.imports.import_file(rows, "hf-daily").inserted == PAPERS
    yield services
    services.close()


def _rows(services: Services) -> dict[str, tuple[int, str]]:
    with services.db.read() as conn:
        query = sa.select(embeddings.c.arxiv_id, embeddings.c.id, embeddings.c.text_hash)
        return {a: (i, h) for a, i, h in conn.execute(query)}


def test_index_resumes_where_it_stopped_and_never_redoes_work(small: Services) -> None:
    first = small.embedding.run(batch_size=4, limit=4)  # as if killed after one batch
    assert (first.embedded, first.batches, first.stopped_early) == (4, 1, True)
    done = _rows(small)
    assert len(done) == 4
    rest = small.embedding.run(batch_size=4)
    assert (rest.to_do, rest.embedded, rest.unchanged) == (PAPERS - 4, PAPERS - 4, 0)
    after = _rows(small)
    assert len(after) == PAPERS
    assert {a: after[a] for a in done} == done  # the first batch's rows were not touched
    again = small.embedding.run(batch_size=4)
    assert (again.to_do, again.embedded) == (0, 0)
    assert small.search.status().embedded == PAPERS


def test_a_changed_abstract_is_re_embedded_and_nothing_else(small: Services) -> None:
    small.embedding.run()
    before = _rows(small)
    paper = small.papers.get(sorted(before)[3])
    old_vector = small.embedding.store.vector(small.embedding.model, paper.arxiv_id)
    paper.abstract = "We study protein folding with graph networks. " + paper.abstract
    small.papers.upsert([SourceRecord(paper)], now=small.clock())
    report = small.embedding.run()
    assert (report.to_do, report.embedded) == (1, 1)
    after = _rows(small)
    assert after[paper.arxiv_id][1] != before[paper.arxiv_id][1]  # new text hash
    assert {a: r for a, r in after.items() if a != paper.arxiv_id} == {
        a: r for a, r in before.items() if a != paper.arxiv_id
    }
    new_vector = small.embedding.store.vector(small.embedding.model, paper.arxiv_id)
    assert float(np.dot(old_vector, new_vector)) < 0.999
    # the search process sees the new vector at once
    page = small.search.search("protein folding graph networks", mode="semantic", limit=1)
    assert page.hits[0].paper.arxiv_id == paper.arxiv_id


def test_index_command_shows_status_and_embeds(tmp_path: Path, hf_sample: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    with hf_sample.open() as source:
        rows.write_text("".join(itertools.islice(source, 3)))
    runner, base = CliRunner(), ["--data-dir", str(tmp_path)]
    assert runner.invoke(cli, [*base, "import", "hf-daily", "--json", str(rows)]).exit_code == 0
    status = runner.invoke(cli, [*base, "index", "--status", "--json"])
    assert json.loads(status.stdout)["pending"] == 3
    before = runner.invoke(cli, [*base, "search", "language", "--json"])
    assert json.loads(before.stdout)["mode_used"] == "keyword"
    run = runner.invoke(cli, [*base, "index", "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["embedded"] == 3
    after = runner.invoke(cli, [*base, "search", "language", "--json"])
    assert json.loads(after.stdout)["mode_used"] == "hybrid"


def test_the_demo_ships_its_vectors_so_semantic_search_works_at_once(
    tmp_path: Path, make_services, clock
) -> None:
    services = make_services(tmp_path, sqlite_copy(tmp_path / "demo.db"), None, clock)
    try:
        report = services.load_demo()
        assert report is not None and report.inserted > 1000
        status = services.embedding.status()
        assert status.embedded == report.inserted and status.pending == 0
        page = services.search.search("robots that learn from videos of people", limit=5)
        assert page.mode_used == "hybrid" and page.notice is None
        assert all(hit.rationale.sentence is not None for hit in page.hits)
        assert services.search.similar(page.hits[0].paper.arxiv_id, limit=3)
    finally:
        services.close()


def test_past_the_exact_limit_a_graph_is_built_in_the_background(
    tmp_path: Path, minilm: MiniLMEmbedder, hf_sample: Path, sample_vectors: Path, make_services
) -> None:
    services = make_services(
        tmp_path, sqlite_copy(tmp_path / "g.db"), minilm, vector_index_exact_limit=20
    )
    try:
        services.imports.import_file(hf_sample, "hf-daily")
        services.embedding.import_vectors(sample_vectors)
        query = "3D reconstruction of object parts from a single image"
        exact = services.search.search(query, mode="semantic", limit=3)  # answered at once
        vectors = services.search.engine.vectors
        assert vectors.wait_for_graph(timeout=60)
        assert isinstance(vectors._current().index, HnswIndex)
        graph = services.search.search(query, mode="semantic", limit=3)
        assert [h.paper.arxiv_id for h in graph.hits] == [h.paper.arxiv_id for h in exact.hits]
    finally:
        services.close()


def test_waiting_for_the_vector_index_waits_for_a_graph_no_search_has_started_yet(
    tmp_path: Path, minilm: MiniLMEmbedder, hf_sample: Path, sample_vectors: Path, make_services
) -> None:
    """What `dailypapers eval` does before its first query, so that a lowered exact limit is
    measured on its graph, not on the exact pass that answers while the graph is built."""
    services = make_services(
        tmp_path, sqlite_copy(tmp_path / "w.db"), minilm, vector_index_exact_limit=20
    )
    try:
        services.imports.import_file(hf_sample, "hf-daily")
        services.embedding.import_vectors(sample_vectors)
        assert services.search.wait_for_vector_index(timeout=60)
        assert isinstance(services.search.engine.vectors._current().index, HnswIndex)
    finally:
        services.close()


def test_one_scheduler_tick_embeds_newly_imported_papers(small: Services) -> None:
    assert small.embedding.status().pending == PAPERS  # imported, not yet embedded
    _tick_index(small)
    assert small.embedding.status().pending == 0
    assert small.search.status().embedded == PAPERS
    before = _rows(small)
    _tick_index(small)  # nothing pending: the job only counts
    assert _rows(small) == before


def test_saved_searches_score_by_semantic_similarity_once_papers_have_vectors(
    small: Services,
) -> None:
    with small.db.read() as conn:
        first = conn.execute(sa.select(papers.c.arxiv_id).order_by(papers.c.arxiv_id)).scalar()
    title = small.papers.get(first).title
    keyword_only = small.digests.search.search(title, None, 5)
    assert keyword_only and all(0 <= hit.score <= 1 for hit in keyword_only)
    _tick_index(small)
    hits = small.digests.search.search(title, None, 5)
    page = small.search.search(title, mode="hybrid", limit=5)
    assert [h.paper.arxiv_id for h in hits] == [h.paper.arxiv_id for h in page.hits]
    assert [h.score for h in hits] == pytest.approx(
        [min(max(h.similarity, 0.0), 1.0) for h in page.hits]
    )
    assert hits[0].title_spans  # the title's words are highlighted as the reason


def _tick_index(services: Services) -> None:
    """One scheduler tick of the `index` job (the ingest jobs would reach the network)."""
    (job,) = [job for job in services.scheduler.due() if job.name == "index"]
    job.run(services.scheduler.stopping)
