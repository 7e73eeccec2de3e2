"""For you through the in-process client, on the demo data: reasons that name what the
reader upvoted, 👎 that removes a paper and demotes its near duplicates, the cold start,
the API with a token, authors' pages and following an author."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import demo_at, sqlite_copy
from tests.web.support import FIXED_NOW, fixed_clock

PASSWORD = "correct horse battery"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Services]]:
    # A 3-day window (~50 papers) fits in one page of 100: a 👎'd paper must be gone from
    # the whole ranking, not only pushed below the page.
    url = sqlite_copy(tmp_path / "demo.db", demo_at(FIXED_NOW))
    settings = Settings(data_dir=tmp_path, database_url=url, recs_window_days=3, **CHEAP_ARGON2)
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    with TestClient(create_app(services)) as client:
        yield client, services
    services.close()


def _csrf(client: TestClient, path: str = "/settings") -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def _sign_up(client: TestClient, username: str = "ada") -> str:
    data = {"username": username, "email": f"{username}@example.org", "password": PASSWORD}
    response = client.post("/signup", data={**data, "csrf_token": _csrf(client, "/signup")})
    assert response.status_code == 200, response.text
    # Signing up logs no one in (its answer can't tell a registered address): log in.
    login = {"login": username, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    assert client.post("/login", data=login, follow_redirects=False).status_code == 303
    return _csrf(client)


def _robot_papers(services: Services, n: int = 3) -> list[str]:
    """Papers about robots featured before the For-you window (so they're history only)."""
    ids = [a for a, _, _ in services.papers.listing_candidates(date(2026, 6, 1), date(2026, 8, 14))]
    papers = services.papers.get_many(ids)
    return sorted(a for a, p in papers.items() if "robot" in p.title.lower())[:n]


def test_reasons_name_the_papers_the_reader_upvoted(site) -> None:
    client, services = site
    token = _sign_up(client)
    upvoted = _robot_papers(services)
    for arxiv_id in upvoted:
        client.post(f"/papers/{arxiv_id}/upvote", data={"vote": "1", "csrf_token": token})
    titles = {services.papers.get(a).title for a in upvoted}

    view = client.get("/for-you?format=json").json()
    assert not view["cold_start"] and view["history_size"] == 3
    assert view["recommendations"] and all(i["id"] not in upvoted for i in view["recommendations"])
    top = view["recommendations"][0]
    assert top["why"].startswith("Because you upvoted")
    assert {b["title"] for b in top["reason"]["because"]} <= titles
    assert any(t in top["why"] for t in titles)
    page = client.get("/for-you").text
    assert "Because you upvoted" in page and 'value="down"' in page


def test_not_interested_removes_the_paper_and_pushes_similar_ones_down(site) -> None:
    client, services = site
    token = _sign_up(client)
    for arxiv_id in _robot_papers(services):
        client.post(f"/papers/{arxiv_id}/upvote", data={"vote": "1", "csrf_token": token})
    before = [
        i["id"] for i in client.get("/for-you?format=json&limit=100").json()["recommendations"]
    ]
    disliked = before[0]
    vectors = services.search.engine.embeddings.vectors_for(services.search.engine.model, before)
    twin = max(before[1:], key=lambda a: float(vectors[a] @ vectors[disliked]))

    response = client.post(
        "/for-you/feedback",
        data={"arxiv_id": disliked, "verdict": "down", "next": "/for-you", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/for-you"
    after = [
        i["id"] for i in client.get("/for-you?format=json&limit=100").json()["recommendations"]
    ]
    assert len(before) < 100 and disliked not in after
    others = [a for a in before if a != disliked]
    assert twin not in after or after.index(twin) > others.index(twin)


def test_feedback_needs_a_login_and_a_known_verdict(site) -> None:
    client, _ = site
    token = _csrf(client, "/login")
    anonymous = client.post(
        "/for-you/feedback",
        data={"arxiv_id": "2608.19880", "verdict": "down", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert anonymous.status_code == 401
    token = _sign_up(client)
    bad = client.post(
        "/for-you/feedback",
        data={"arxiv_id": "2608.19880", "verdict": "maybe", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400


def test_a_reader_without_history_gets_trending_papers_and_a_prompt(site) -> None:
    client, services = site
    view = client.get("/for-you?format=json").json()
    trending = [i.paper.arxiv_id for i in services.listings.trending(limit=5).page.items]
    assert view["cold_start"] and [i["id"] for i in view["recommendations"][:5]] == trending
    assert all(i["why"] == "Trending now" for i in view["recommendations"])
    assert "Log in" in client.get("/for-you").text


def test_the_api_ranks_for_the_token_user_with_reasons(site) -> None:
    client, services = site
    assert client.get("/api/recommendations").status_code == 401
    user = services.community.accounts.create_user("bob", "bob@example.org", PASSWORD)
    raw, _ = services.community.auth.create_api_token(user, "reader")
    for arxiv_id in _robot_papers(services):
        services.community.votes.set_vote(user, arxiv_id, True)
    auth = {"Authorization": f"Bearer {raw}"}
    items = client.get("/api/recommendations?limit=5", headers=auth).json()["recommendations"]
    assert len(items) == 5 and items[0]["why"].startswith("Because you upvoted")
    gone = items[0]["id"]
    answer = client.post(
        "/api/recommendations/feedback", json={"arxivId": gone, "verdict": "down"}, headers=auth
    )
    assert answer.status_code == 200
    again = client.get("/api/recommendations?limit=5", headers=auth).json()["recommendations"]
    assert gone not in [i["id"] for i in again]


def test_an_author_page_lists_their_papers_and_a_follow_brings_them_to_for_you(site) -> None:
    client, services = site
    token = _sign_up(client)
    paper = services.papers.get("2608.19880")
    author = paper.authors[0]
    assert f'href="/authors/{quote(author)}"' in client.get("/papers/2608.19880").text
    view = client.get(f"/authors/{author}?format=json").json()
    assert view["total"] >= 1 and "2608.19880" in [p["id"] for p in view["papers"]]
    dates = [p["published_at"] for p in view["papers"]]
    assert dates == sorted(dates, reverse=True)
    assert view["following"] is False

    client.post("/follow-author", data={"author": author, "follow": "1", "csrf_token": token})
    assert client.get(f"/authors/{author}?format=json").json()["following"] is True
    items = client.get("/for-you?format=json").json()["recommendations"]
    assert items[0]["id"] == "2608.19880"
    assert items[0]["why"] == f"New paper by an author you follow: {author}"

    client.post("/follow-author", data={"author": author, "follow": "0", "csrf_token": token})
    assert client.get("/for-you?format=json").json()["cold_start"] is True


def test_the_learned_page_shows_verdicts_and_follows_and_forgets_them_on_reset(site) -> None:
    client, services = site
    assert client.get("/for-you/learned?format=json").status_code == 401
    token = _sign_up(client)
    liked, disliked = _robot_papers(services, 2)
    for arxiv_id, verdict in ((liked, "up"), (disliked, "down")):
        client.post(
            "/for-you/feedback",
            data={"arxiv_id": arxiv_id, "verdict": verdict, "csrf_token": token},
        )
    client.post("/follow-author", data={"author": "Ada Lovelace", "csrf_token": token})
    view = client.get("/for-you/learned?format=json").json()
    assert [p["id"] for p in view["liked"]] == [liked]
    assert [p["id"] for p in view["disliked"]] == [disliked]
    assert [a["name"] for a in view["followed_authors"]] == ["Ada Lovelace"]
    assert view["history_size"] == 1

    client.post(
        "/for-you/feedback", data={"arxiv_id": liked, "verdict": "clear", "csrf_token": token}
    )
    assert client.get("/for-you/learned?format=json").json()["liked"] == []
    client.post("/for-you/reset", data={"csrf_token": token})
    view = client.get("/for-you/learned?format=json").json()
    assert view["disliked"] == [] and view["followed_authors"] == []
