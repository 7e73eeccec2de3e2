"""The per-reader model, as a specification: it learns a topic from positives, 👎 pushes a
paper's near duplicates down, reasons name the nearest history papers."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from dailypapers.domain.recommendations import (
    HistoryItem,
    Neighbour,
    Reason,
    author_key,
    merge_history,
    reason_line,
)
from dailypapers.search.user_model import centroid_scores, fit, nearest_history, top_k

DIM = 32


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _topic(rng: np.random.Generator, centre: np.ndarray, n: int, spread: float = 0.3):
    return _unit(centre + spread * rng.standard_normal((n, DIM)))


@pytest.fixture
def world():
    rng = np.random.default_rng(7)
    a, b, c = (rng.standard_normal(DIM) for _ in range(3))
    return rng, a, b, c


def test_papers_of_the_liked_topic_outrank_the_rest(world) -> None:
    rng, a, b, c = world
    positives = _topic(rng, a, 5)
    window = np.vstack([_topic(rng, a, 10), _topic(rng, b, 10), _topic(rng, c, 10)])
    model = fit(positives, np.zeros((0, DIM), np.float32), window)
    scores = model.score(window)
    assert set(top_k(scores, 10).tolist()) == set(range(10))


def test_a_dislike_pushes_its_near_duplicates_below_the_liked_topic(world) -> None:
    rng, a, b, _ = world
    positives = _topic(rng, a, 3)
    disliked = _topic(rng, b, 1, spread=0.0)
    twin = _unit(disliked + 0.05 * rng.standard_normal((1, DIM)))
    window = np.vstack([_topic(rng, a, 5), twin, _topic(rng, b, 5)])
    without = fit(positives, np.zeros((0, DIM), np.float32), window).score(window)
    with_dislike = fit(positives, disliked, window).score(window)
    assert with_dislike[5] < without[5]
    assert with_dislike[5] < with_dislike[:5].min()
    assert with_dislike[5] <= with_dislike[6:].min()  # the twin falls below its own topic


def test_a_model_needs_a_positive() -> None:
    with pytest.raises(ValueError):
        fit(np.zeros((0, DIM)), np.zeros((0, DIM)), np.ones((3, DIM)))


def test_top_k_is_best_first_with_ties_by_position() -> None:
    scores = np.array([0.1, 0.5, 0.5, 0.9, -1.0], np.float32)
    assert top_k(scores, 3).tolist() == [3, 1, 2]
    assert top_k(scores, 10).tolist() == [3, 1, 2, 0, 4]
    assert top_k(scores, 0).tolist() == []


def test_reasons_name_only_history_papers_close_enough(world) -> None:
    rng, a, b, _ = world
    history = np.vstack([_topic(rng, a, 1, 0.0), _topic(rng, b, 1, 0.0)])
    candidates = np.vstack([_topic(rng, a, 1, 0.1), -history[:1]])
    near = nearest_history(candidates, history, k=2, floor=0.5)
    assert [i for i, _ in near[0]] == [0]
    assert near[1] == []


def test_centroid_baseline_prefers_the_history_topic(world) -> None:
    rng, a, b, _ = world
    scores = centroid_scores(_topic(rng, a, 4), np.vstack([_topic(rng, a, 1), _topic(rng, b, 1)]))
    assert scores[0] > scores[1]


def test_a_paper_in_the_history_several_ways_is_named_by_its_strongest_source() -> None:
    t = datetime(2026, 8, 1, tzinfo=UTC)
    merged = merge_history(
        [HistoryItem("1", "saved", t), HistoryItem("1", "upvoted", t), HistoryItem("2", "saved", t)]
    )
    assert [(i.arxiv_id, i.source) for i in merged] == [("2", "saved"), ("1", "upvoted")]


def test_the_reason_line_says_why_in_one_line() -> None:
    near = (Neighbour("1", "Alpha", "upvoted", 0.8), Neighbour("2", "Beta", "upvoted", 0.7))
    assert reason_line(Reason("history", near)) == "Because you upvoted “Alpha” and “Beta”"
    mixed = (Neighbour("1", "Alpha", "liked", 0.8), Neighbour("2", "Beta", "saved", 0.7))
    assert reason_line(Reason("history", mixed)) == "Because you liked “Alpha” and you saved “Beta”"
    assert reason_line(Reason("author", authors=("Ada Lovelace",))) == (
        "New paper by an author you follow: Ada Lovelace"
    )
    assert reason_line(Reason("keyphrases", keyphrases=("diffusion",))).endswith("diffusion")
    assert reason_line(Reason("trending")) == "Trending now"


def test_author_names_compare_without_case_or_spacing() -> None:
    assert author_key("  Ada   LOVELACE ") == author_key("ada lovelace")
