"""Logged-in views reuse the viewer-independent part of a page (web/view_cache.py) and add
the viewer's own state per request: never another viewer's, never a stale count, in every
process, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from tests.community.conftest import NOW, MakeServices, add_paper, csrf_from, log_in

A, B = "2608.30001", "2608.30002"
DAY = f"/date/{NOW.date().isoformat()}"
_BUTTON = re.compile(
    r'action="/papers/([^"/]+)/upvote">.*?aria-pressed="(true|false)".*?'
    r'class="vote-count">([\d,]+)<',
    flags=re.S,
)


def _browser(app: FastAPI, username: str) -> TestClient:
    """A browser of its own (cookies) on `app`, one web process, logged in as a new user."""
    app.state.services.community.accounts.create_user(
        username, f"{username}@example.org", "correct horse battery", verified=True
    )
    browser = TestClient(app)
    assert log_in(browser, username).status_code == 303
    return browser


def _vote(browser: TestClient, arxiv_id: str, up: bool = True) -> None:
    token = csrf_from(browser, DAY)
    answer = browser.post(
        f"/papers/{arxiv_id}/upvote",
        data={"vote": "1" if up else "0", "csrf_token": token, "next": DAY},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def _state(browser: TestClient, path: str = DAY) -> tuple[str, dict[str, tuple[int, bool]]]:
    """(X-View-Cache, {paper: (upvotes, pressed)}) as the HTML page shows them, after
    checking that its JSON twin says the same."""
    page = browser.get(path)
    assert page.status_code == 200
    pressed = {
        paper: (int(count.replace(",", "")), state == "true")
        for paper, state, count in _BUTTON.findall(page.text)
    }
    twin = browser.get(path, params={"format": "json"}).json()
    assert {i["id"]: (i["upvotes"], i["upvoted"]) for i in twin["items"]} == pressed
    return page.headers["x-view-cache"], pressed


def test_a_logged_in_day_page_reuses_the_shared_part_and_shows_only_its_viewers_votes(
    services: Services,
) -> None:
    add_paper(services, A, day=NOW.date(), external_upvotes=5)
    add_paper(services, B, day=NOW.date(), external_upvotes=3)
    app = create_app(services)
    alice, bob = _browser(app, "alice"), _browser(app, "bob")

    assert _state(alice) == ("miss", {A: (5, False), B: (3, False)})
    assert _state(alice) == ("hit", {A: (5, False), B: (3, False)})
    assert _state(bob) == ("hit", {A: (5, False), B: (3, False)})  # alice's part, bob's state

    _vote(bob, A)  # another user's vote: the count moves, alice's button doesn't
    assert _state(alice) == ("miss", {A: (6, False), B: (3, False)})
    assert _state(bob) == ("hit", {A: (6, True), B: (3, False)})

    _vote(alice, B)  # her own vote shows at once, pressed, and only for her
    assert _state(alice) == ("miss", {A: (6, False), B: (4, True)})
    assert _state(alice) == ("hit", {A: (6, False), B: (4, True)})
    assert _state(bob) == ("hit", {A: (6, True), B: (4, False)})

    _vote(alice, B, up=False)
    assert _state(alice) == ("miss", {A: (6, False), B: (3, False)})
    # An anonymous page-cache miss reuses it too; page-cached answers carry X-Page-Cache only.
    hits = app.state.view_cache.stats()["view_hits"]
    anonymous = TestClient(app)
    assert [anonymous.get(DAY).headers.get("x-page-cache") for _ in "12"] == ["miss", "hit"]
    assert "x-view-cache" not in anonymous.get(DAY).headers
    assert app.state.view_cache.stats()["view_hits"] == hits + 1
    stats = alice.get("/metrics").text
    assert re.search(r"dailypapers_page_cache_view_hits_total\{[^}]*\} [1-9]", stats)


def test_a_vote_in_another_process_shows_on_the_next_logged_in_view(
    services: Services, make_services: MakeServices
) -> None:
    add_paper(services, A, day=NOW.date(), external_upvotes=5)
    alice = _browser(create_app(services), "alice")
    assert _state(alice) == ("miss", {A: (5, False)})
    assert _state(alice) == ("hit", {A: (5, False)})
    # A second web process on the same database, with its own caches.
    other = make_services(services.settings.resolved_database_url, clock=services.clock)
    bob = _browser(create_app(other), "bob")
    assert _state(bob) == ("miss", {A: (5, False)})
    _vote(bob, A)
    assert _state(alice) == ("miss", {A: (6, False)})
    _vote(alice, A)
    assert _state(bob) == ("miss", {A: (7, True)})


def test_a_logged_in_paper_page_reuses_the_paper_and_its_similar_papers(
    services: Services,
) -> None:
    add_paper(services, A, day=NOW.date(), external_upvotes=5)
    app = create_app(services)
    alice, bob = _browser(app, "alice"), _browser(app, "bob")
    path = f"/papers/{A}"

    def seen(browser: TestClient) -> tuple[str, str, int, bool]:
        """(X-View-Cache of the JSON twin, of the page, upvotes, pressed), twin first."""
        twin = browser.get(path, params={"format": "json"})
        page = browser.get(path)
        pressed = str(twin.json()["upvoted"]).lower()
        assert f'aria-pressed="{pressed}"' in page.text
        headers = (twin.headers["x-view-cache"], page.headers["x-view-cache"])
        return *headers, twin.json()["upvotes"], twin.json()["upvoted"]

    assert seen(alice) == ("miss", "hit", 5, False)  # the page reused what its twin loaded
    assert seen(bob) == ("hit", "hit", 5, False)
    _vote(bob, A)
    assert seen(alice) == ("miss", "hit", 6, False)
    assert seen(bob) == ("hit", "hit", 6, True)
