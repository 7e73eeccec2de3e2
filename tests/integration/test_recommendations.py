"""Recommendations on real demo papers and their shipped vectors, on SQLite and PostgreSQL:
the model moves the right way after 👍 and 👎, the history counts every source, verdicts
are one per paper, authors are found by name whatever the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.domain.community import User
from dailypapers.services.bootstrap import Services, bootstrap
from tests.conftest import NewDatabase
from tests.databases import demo_at
from tests.web.support import FIXED_NOW, fixed_clock

CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}


@pytest.fixture
def demo(tmp_path: Path, new_database: NewDatabase) -> Iterator[Services]:
    """The demo papers and their vectors (a copy of the session's demo template)."""
    url = new_database(demo_at(FIXED_NOW))
    settings = Settings(data_dir=tmp_path, database_url=url, **CHEAP_ARGON2)
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    yield services
    services.close()


def _reader(services: Services, name: str = "ada") -> User:
    return services.community.accounts.create_user(
        name, f"{name}@example.org", "correct horse battery", verified=True
    )


def _titled(services: Services, word: str, start: date, end: date) -> list[str]:
    ids = [a for a, _, _ in services.papers.listing_candidates(start, end)]
    return sorted(a for a, p in services.papers.get_many(ids).items() if word in p.title.lower())


def _mean_rank(ranking: list[str], ids: list[str]) -> float:
    return sum(ranking.index(a) if a in ranking else len(ranking) for a in ids) / len(ids)


def test_the_model_follows_likes_and_dislikes_on_real_papers(demo: Services) -> None:
    recs, reader = demo.recommendations, _reader(demo)
    start, end = recs.window()
    before = (date(2026, 6, 1), start)
    robots, videos = _titled(demo, "robot", *before), _titled(demo, "video", *before)
    window_robots = _titled(demo, "robot", start, end)
    window_videos = _titled(demo, "video", start, end)
    assert len(robots) >= 3 and len(videos) >= 3 and window_robots and window_videos

    for arxiv_id in videos[:3]:
        recs.set_feedback(reader, arxiv_id, 1)
    liking_video = [r.paper.arxiv_id for r in recs.recommend(reader, limit=100).items]
    for arxiv_id in videos[:3]:
        recs.set_feedback(reader, arxiv_id, -1)
    for arxiv_id in robots[:3]:
        recs.set_feedback(reader, arxiv_id, 1)
    liking_robots = [r.paper.arxiv_id for r in recs.recommend(reader, limit=100).items]

    assert _mean_rank(liking_robots, window_robots) < _mean_rank(liking_video, window_robots)
    assert _mean_rank(liking_robots, window_videos) > _mean_rank(liking_video, window_videos)
    assert not set(liking_robots) & set(robots[:3] + videos[:3])


def test_the_history_counts_upvotes_collections_and_likes(demo: Services) -> None:
    reader = _reader(demo)
    ids = [a for a, _, _ in demo.papers.listing_candidates(date(2026, 7, 1), date(2026, 7, 3))]
    demo.community.votes.set_vote(reader, ids[0], True)
    collection = demo.community.collections.create(reader, "Reading")
    demo.community.collections.add_paper(reader, collection.id, ids[1])
    demo.recommendations.set_feedback(reader, ids[2], 1)
    demo.recommendations.set_feedback(reader, ids[3], -1)
    history = {
        h.arxiv_id: h.source for h in demo.recommendations.store.history(reader.id, limit=10)
    }
    assert history == {ids[0]: "upvoted", ids[1]: "saved", ids[2]: "liked"}
    recs = demo.recommendations.recommend(reader, limit=50)
    assert recs.history_size == 3 and not recs.cold_start


def test_a_verdict_is_one_per_paper_and_can_be_cleared(demo: Services) -> None:
    reader, recs = _reader(demo), demo.recommendations
    paper = "2608.19880"
    recs.set_feedback(reader, paper, 1)
    recs.set_feedback(reader, paper, 1)
    assert recs.feedback(reader) == {paper: 1}
    recs.set_feedback(reader, paper, -1)
    assert recs.feedback(reader) == {paper: -1}
    recs.set_feedback(reader, paper, None)
    assert recs.feedback(reader) == {}
    recs.set_feedback(reader, paper, -1)
    assert recs.reset(reader) == 1 and recs.feedback(reader) == {}


def test_an_author_is_found_by_name_on_either_database(demo: Services) -> None:
    ids = [a for a, _, _ in demo.papers.listing_candidates(date(2026, 6, 1), date(2026, 8, 21))]
    papers = demo.papers.get_many(ids)
    accented = next(a for p in papers.values() for a in p.authors if not a.isascii())
    expected = {i for i, p in papers.items() if accented in p.authors}
    found, total = demo.recommendations.author(accented)
    assert {p.arxiv_id for p in found} == expected and total == len(expected)
    spaced, _ = demo.recommendations.author("  " + accented.replace(" ", "  ") + " ")
    assert {p.arxiv_id for p in spaced} == expected


def test_a_followed_author_is_followed_once(demo: Services) -> None:
    reader, recs = _reader(demo), demo.recommendations
    recs.follow(reader, "Ada Lovelace", True)
    recs.follow(reader, "ada  lovelace", True)
    assert recs.followed(reader) == ["Ada Lovelace"]
    recs.follow(reader, "ADA LOVELACE", False)
    assert recs.followed(reader) == []


def test_a_stored_model_is_scored_until_the_history_changes(demo: Services) -> None:
    recs, reader = demo.recommendations, _reader(demo)
    start, end = recs.window()
    before = [a for a, _, _ in demo.papers.listing_candidates(date(2026, 6, 1), start)]
    for arxiv_id in before[:3]:
        demo.community.votes.set_vote(reader, arxiv_id, True)
    assert recs.store.user_model(reader.id) is None
    (job,) = [job for job in demo.scheduler.due() if job.name == "user_models"]
    job.run(demo.scheduler.stopping)  # the history changed: a job fits and stores the model
    stored = recs.store.user_model(reader.id)
    assert stored is not None

    # Scoring uses the stored weights: replace them (same key) with a paper's own vector
    target = [a for a, _, _ in demo.papers.listing_candidates(start, end)][-1]
    vector = demo.search.engine.embeddings.vectors_for(recs.model, [target])[target]
    recs.store.save_user_model(
        reader.id, stored.history_key, (10 * vector).astype("<f4").tobytes(), 0.0, now=FIXED_NOW
    )
    assert recs.recommend(reader, limit=5).items[0].paper.arxiv_id == target

    # A 👎 changes the history: the next page fits once, stores it, and the paper is gone
    recs.set_feedback(reader, target, -1)
    ranked = [r.paper.arxiv_id for r in recs.recommend(reader, limit=100).items]
    assert target not in ranked
    assert recs.store.user_model(reader.id).history_key != stored.history_key
