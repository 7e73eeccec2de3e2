"""Following arXiv categories, on real papers and real SQLite and PostgreSQL.

The demo papers carry their real arXiv categories where ../shared/data's arXiv listings have
them (339 of them, June and July 2026; tools/make_demo_data.py), so For-you's window is
widened to cover those.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.domain.community import User
from dailypapers.domain.recommendations import reason_line
from dailypapers.errors import BadRequest
from dailypapers.services.bootstrap import Services
from dailypapers.services.demo import demo_data_path
from tests.conftest import FIXED_NOW, NewDatabase, make_services
from tests.databases import demo_at

CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def demo_papers_with_categories() -> int:
    """The demo papers carry their real arXiv categories (from ../shared/data's listings)."""
    with gzip.open(demo_data_path(), "rt") as demo:
        return sum(1 for line in demo if json.loads(line).get("categories"))


@pytest.fixture
def demo(tmp_path: Path, new_database: NewDatabase) -> Iterator[Services]:
    """The demo papers and their vectors (a copy of the session's demo template)."""
    url = new_database(demo_at(FIXED_NOW))
    services = make_services(tmp_path, url, recs_window_days=80, **CHEAP_ARGON2)
    assert demo_papers_with_categories() > 300
    yield services
    services.close()


def _reader(services: Services, name: str, *, likes: str | None = None) -> User:
    user = services.community.accounts.create_user(
        name, f"{name}@example.org", PASSWORD, verified=True
    )
    if likes:
        ids = [
            a for a, _, _ in services.papers.listing_candidates(date(2026, 6, 1), date(2026, 8, 21))
        ]
        papers = services.papers.get_many(ids)
        for arxiv_id in sorted(a for a, p in papers.items() if likes in p.title.lower())[:3]:
            services.community.votes.set_vote(user, arxiv_id, True)
    return user


def _in(services: Services, category: str) -> set[str]:
    """The window's papers in `category`, as the import gave them."""
    start, end = services.recommendations.window()
    ids = [a for a, _, _ in services.papers.listing_candidates(start, end)]
    return {a for a, p in services.papers.get_many(ids).items() if category in p.categories}


def _top(ranking: list[str], ids: set[str], k: int = 30) -> int:
    return len(set(ranking[:k]) & ids)


def test_a_followed_category_lifts_its_papers_and_says_why(demo: Services) -> None:
    recs, reader = demo.recommendations, _reader(demo, "ada", likes="robot")
    language = _in(demo, "cs.CL")
    assert len(language) >= 20

    before = recs.recommend(reader, limit=100)
    assert recs.follow_category(reader, " cs.CL ", True) == "cs.CL"
    after = recs.recommend(reader, limit=100)
    ranked_before = [r.paper.arxiv_id for r in before.items]
    ranked_after = [r.paper.arxiv_id for r in after.items]
    print("cs.CL in the top 30:", _top(ranked_before, language), _top(ranked_after, language))
    assert _top(ranked_after, language) >= _top(ranked_before, language) + 10
    assert after.followed_categories == ["cs.CL"]
    for rec in after.items:
        said = reason_line(rec.reason)
        if rec.paper.arxiv_id in language:
            assert said == "New in cs.CL, which you follow", said
        else:
            assert "which you follow" not in said

    recs.follow_category(reader, "cs.CL", False)
    assert [r.paper.arxiv_id for r in recs.recommend(reader, limit=100).items] == ranked_before


def test_a_reader_who_only_follows_a_category_is_no_cold_start(demo: Services) -> None:
    recs, reader = demo.recommendations, _reader(demo, "bea")
    assert recs.recommend(reader).cold_start
    vision = _in(demo, "cs.CV")
    recs.follow_category(reader, "cs.CV", True)
    recs.follow_category(reader, "cs.CV", True)  # once is enough
    assert recs.followed_categories(reader) == ["cs.CV"]
    found = recs.recommend(reader, limit=10)
    assert not found.cold_start
    assert [r.paper.arxiv_id for r in found.items if r.paper.arxiv_id not in vision] == []
    assert recs.reset(reader) == 1 and recs.followed_categories(reader) == []
    with pytest.raises(BadRequest):
        recs.follow_category(reader, "cs.CL cs.LG", True)
    with pytest.raises(BadRequest):
        recs.follow_category(reader, "<script>", True)


def test_the_cold_start_prompt_offers_the_windows_categories(demo: Services) -> None:
    choices = dict(demo.recommendations.category_choices())
    for category in ("cs.AI", "cs.CV", "cs.CL"):
        assert choices[category] == len(_in(demo, category))


def _csrf(client: TestClient, path: str) -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, path
    return found.group(1)


def test_following_and_unfollowing_a_category_on_the_site(demo: Services) -> None:
    _reader(demo, "cyd")
    with TestClient(create_app(demo)) as browser:
        login = {"login": "cyd", "password": PASSWORD, "csrf_token": _csrf(browser, "/login")}
        assert browser.post("/login", data=login, follow_redirects=False).status_code == 303
        page = browser.get("/for-you")
        assert 'aria-label="Follow cs.AI"' in page.text  # the cold-start prompt

        token = _csrf(browser, "/for-you")
        follow = {"category": "cs.AI", "follow": "1", "next": "/for-you", "csrf_token": token}
        answer = browser.post("/follow-category", data=follow, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/for-you"
        twin = browser.get("/for-you", headers={"accept": "application/json"}).json()
        assert not twin["cold_start"] and twin["followed_categories"] == ["cs.AI"]
        assert twin["recommendations"][0]["why"] == "New in cs.AI, which you follow"
        learned = browser.get("/for-you/learned")
        assert 'aria-label="Unfollow cs.AI"' in learned.text

        bad = {**follow, "category": "not a category!"}
        assert browser.post("/follow-category", data=bad).status_code == 400
        unfollow = {**follow, "follow": "0", "next": "/for-you/learned"}
        browser.post("/follow-category", data=unfollow, follow_redirects=False)
        twin = browser.get("/for-you/learned", headers={"accept": "application/json"}).json()
        assert twin["followed_categories"] == []
