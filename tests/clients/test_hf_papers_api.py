"""HF's undocumented-but-used routes over a real socket: `GET /api/papers?cursor=&limit=` (all
papers, newest first, paged by the `Link` header's cursor) and the comment write routes in
HF's shape (`POST /api/papers/{id}/comment`, `.../comment/{commentId}/reply`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.clients.conftest import FIXTURE_DAYS
from tests.databases import sqlite_copy
from tests.live_server import LiveServer, free_port
from tests.web.support import api_fixture, fixed_clock

PAPER = "2507.17744"


@dataclass(frozen=True)
class Site:
    http: httpx.Client
    services: Services
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    port = free_port()
    data_dir = tmp_path_factory.mktemp("site")
    settings = Settings(
        data_dir=data_dir,
        database_url=sqlite_copy(data_dir / "dailypapers.db"),
        base_url=f"http://127.0.0.1:{port}",
    )
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    try:
        for day in FIXTURE_DAYS:
            services.imports.import_file(api_fixture(day), "hf-daily")
        community = services.community
        tokens = {}
        for name in ("alice", "bob"):
            user = community.accounts.create_user(
                name, f"{name}@example.org", "a long passphrase 1"
            )
            tokens[name] = community.auth.create_api_token(user, "tests")[0]
        with (
            LiveServer(create_app(services), port) as base_url,
            httpx.Client(base_url=base_url) as http,
        ):
            yield Site(http, services, tokens)
    finally:
        services.close()


def _next(response: httpx.Response) -> str | None:
    link = response.links.get("next")
    return link["url"] if link else None


def test_all_papers_newest_first_in_cursor_pages_without_gaps_or_repeats(site: Site) -> None:
    seen: list[dict] = []
    url: str | None = "/api/papers?limit=4"
    pages = 0
    while url:
        response = site.http.get(url)
        assert response.status_code == 200, response.text
        assert len(response.json()) <= 4
        seen.extend(response.json())
        url, pages = _next(response), pages + 1
    ids = [paper["id"] for paper in seen]
    assert len(ids) == len(set(ids)) == site.services.papers.count()
    assert pages == -(-len(ids) // 4)
    stamps = [paper["publishedAt"] for paper in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert {"id", "title", "summary", "authors", "upvotes", "discussionId"} <= set(seen[0])
    assert site.http.get("/api/papers?limit=4").links["next"]["url"].startswith("http://")


def test_a_cursor_this_api_never_gave_out_is_a_400_in_hfs_shape(site: Site) -> None:
    for cursor in ("not-a-cursor", "WyJ4Il0"):
        response = site.http.get("/api/papers", params={"cursor": cursor})
        assert response.status_code == 400
        assert isinstance(response.json()["error"], str)


def test_hfs_comment_and_reply_routes_write_through_our_comments(site: Site) -> None:
    alice = {"Authorization": f"Bearer {site.tokens['alice']}"}
    bob = {"Authorization": f"Bearer {site.tokens['bob']}"}
    made = site.http.post(
        f"/api/papers/{PAPER}/comment", json={"comment": "Nice *world*"}, headers=alice
    )
    assert made.status_code == 201, made.text
    comment = made.json()
    assert comment["author"] == "alice" and comment["paper_id"] == PAPER
    reply = site.http.post(
        f"/api/papers/{PAPER}/comment/{comment['id']}/reply",
        json={"comment": "agreed"},
        headers=bob,
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["parent_id"] == comment["id"]
    threads = site.http.get(f"/api/papers/{PAPER}/comments").json()
    assert [(t["body"], [r["body"] for r in t["replies"]]) for t in threads] == [
        ("Nice *world*", ["agreed"])
    ]


def test_hfs_comment_routes_need_a_token_and_answer_errors_in_hfs_shape(site: Site) -> None:
    anonymous = site.http.post(f"/api/papers/{PAPER}/comment", json={"comment": "hi"})
    assert anonymous.status_code == 401
    assert isinstance(anonymous.json()["error"], str)
    alice = {"Authorization": f"Bearer {site.tokens['alice']}"}
    missing = site.http.post(
        "/api/papers/2607.99999/comment", json={"comment": "hi"}, headers=alice
    )
    assert missing.status_code == 404 and isinstance(missing.json()["error"], str)
    no_parent = site.http.post(
        f"/api/papers/{PAPER}/comment/999999/reply", json={"comment": "hi"}, headers=alice
    )
    assert no_parent.status_code == 404
