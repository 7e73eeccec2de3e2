"""In-memory vector indexes: exact search is exact; HNSW finds nearly the same neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from dailypapers.search.vectors import ExactIndex, HnswIndex, build_index, top_k


def _unit(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_top_k_returns_the_largest_in_order() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3])
    assert top_k(scores, 3).tolist() == [1, 3, 2]
    assert top_k(scores, 10).tolist() == [1, 3, 2, 4, 0]
    assert top_k(scores, 0).tolist() == []


def test_exact_search_matches_brute_force_and_respects_allowed_rows() -> None:
    data, query = _unit(500), _unit(1, seed=1)[0]
    index = ExactIndex(32, data[:300])
    index.add(data[300:])  # grows past its first capacity
    positions, sims = index.search(query, 5)
    assert positions.tolist() == np.argsort(-(data @ query))[:5].tolist()
    assert np.allclose(sims, (data @ query)[positions])
    allowed = np.arange(0, 500, 7)
    positions, _ = index.search(query, 5, allowed)
    assert set(positions.tolist()) <= set(allowed.tolist())
    assert positions[0] == allowed[np.argmax(data[allowed] @ query)]


def test_replacing_a_row_changes_its_similarity() -> None:
    data = _unit(10)
    index = ExactIndex(32, data)
    index.replace(3, data[7])
    assert index.similarities(data[7], np.array([3, 7])) == pytest.approx([1.0, 1.0])


def test_hnsw_recall_against_exact_search() -> None:
    data, queries = _unit(3000, seed=2), _unit(20, seed=3)
    exact, hnsw = ExactIndex(32, data), HnswIndex(32, data[:1000])
    hnsw.add(data[1000:])
    recall = np.mean(
        [
            len(set(hnsw.search(q, 10)[0].tolist()) & set(exact.search(q, 10)[0].tolist())) / 10
            for q in queries
        ]
    )
    assert recall >= 0.9
    allowed = np.arange(0, 3000, 3)
    positions, _ = hnsw.search(queries[0], 10, allowed)
    assert set(positions.tolist()) <= set(allowed.tolist()) and len(positions) == 10


def test_the_graph_finds_nearly_all_of_the_exact_hundred_a_search_fuses() -> None:
    """A hybrid search takes 100 papers by meaning; the graph is asked with ef = 2k (as
    pgvector is), not ef = k, which found 0.94 of them here (3,000 random 64-d vectors)."""
    data, queries = _unit(3000, dim=64, seed=7), _unit(50, dim=64, seed=8)
    exact, hnsw = ExactIndex(64, data), HnswIndex(64, data, threads=1)
    recall = np.mean(
        [
            len(set(hnsw.search(q, 100)[0].tolist()) & set(exact.search(q, 100)[0].tolist())) / 100
            for q in queries
        ]
    )
    assert recall >= 0.98


def test_build_index_switches_to_hnsw_above_the_limit() -> None:
    data = _unit(50)
    assert isinstance(build_index(32, data, exact_limit=100), ExactIndex)
    assert isinstance(build_index(32, data, exact_limit=10), HnswIndex)


def test_a_saved_graph_loads_over_a_grown_matrix(tmp_path) -> None:
    data = _unit(600, seed=5)
    HnswIndex(32, exact=ExactIndex(32, data[:500])).save(tmp_path / "g.bin")
    loaded = HnswIndex.load(tmp_path / "g.bin", ExactIndex(32, data))
    assert len(loaded) == 600
    for row in (3, 550):  # one from the saved graph, one added since
        assert loaded.search(data[row], 1)[0].tolist() == [row]
