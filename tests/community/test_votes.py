"""Upvotes: one per user per paper, exact under concurrency, kept apart from HF's counts."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dailypapers.app import create_app
from dailypapers.domain.community import User
from dailypapers.errors import NotFound, Unauthorized
from dailypapers.services.bootstrap import Services
from dailypapers.storage.votes import VoteStore
from tests.community.conftest import NOW, PASSWORD, MakeServices, add_paper, new_client
from tests.web.support import hf_row, write_jsonl

PAPER = "2608.10001"


def _users(services: Services, n: int) -> list[User]:
    accounts = services.community.accounts
    return [accounts.create_user(f"voter{i}", f"voter{i}@example.org", PASSWORD) for i in range(n)]


def _counts(services: Services, arxiv_id: str) -> tuple[int, int, int]:
    """(local_upvotes on the paper, vote rows, upvotes copied to its daily entry)."""
    paper = services.papers.get(arxiv_id)
    assert paper is not None
    items, _ = services.papers.listing(NOW.date(), NOW.date(), order="upvotes", limit=10, offset=0)
    entry = next(i for i in items if i.paper.arxiv_id == arxiv_id)
    return paper.local_upvotes, VoteStore(services.db).count_for(arxiv_id), entry.paper.upvotes


def _plan(users: list[User]) -> tuple[list[tuple[User, bool]], set[int], set[int]]:
    """200 requests from 50 users: 30 only upvote (4 times each), 10 who had voted only take
    it back, 10 send a random mix. Returns the shuffled requests, the ids that must end
    voted, and the ids whose end state depends on the order."""
    requests: list[tuple[User, bool]] = []
    must, mixed = set(), set()
    rng = random.Random(7)
    for i, user in enumerate(users):
        if i < 30:
            requests += [(user, True)] * 4
            must.add(user.id)
        elif i < 40:
            requests += [(user, False)] * 4
        else:
            requests += [(user, rng.random() < 0.5) for _ in range(4)]
            mixed.add(user.id)
    rng.shuffle(requests)
    return requests, must, mixed


def test_200_concurrent_upvotes_from_50_users_end_with_the_exact_count(
    services: Services, make_services: MakeServices, database_url: str
) -> None:
    add_paper(services, PAPER, external_upvotes=7, day=NOW.date())
    users = _users(services, 50)
    for user in users[30:40]:  # these had voted before, and take it back below
        services.community.votes.set_vote(user, PAPER, True)
    requests, must, mixed = _plan(users)
    # Two Services on one database: two web processes, each with its own pool (and, on
    # SQLite, its own writer lock), racing each other as well as their own threads.
    other = make_services(database_url, clock=services.clock)
    sides = [services, other]

    def cast(k: int) -> None:
        user, on = requests[k]
        sides[k % 2].community.votes.set_vote(user, PAPER, on)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(cast, range(len(requests))))

    local, rows, sort_key = _counts(services, PAPER)
    voted = VoteStore(services.db).voted_among
    ended_voted = {u.id for u in users if voted(u.id, [PAPER])}
    assert must <= ended_voted <= must | mixed
    assert local == rows == len(ended_voted)
    assert sort_key == local + 7  # the daily entry's copy moved with every vote


def test_200_concurrent_upvote_requests_over_http_end_with_the_exact_count(
    services: Services,
) -> None:
    add_paper(services, PAPER, day=NOW.date())
    users = _users(services, 50)
    tokens = {u.id: services.community.auth.create_api_token(u, "load")[0] for u in users}
    for user in users[30:40]:
        services.community.votes.set_vote(user, PAPER, True)
    requests, _, _ = _plan(users)
    app = create_app(services)

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            responses = await asyncio.gather(
                *[
                    http.request(
                        "POST" if on else "DELETE",
                        f"/api/papers/{PAPER}/upvote",
                        headers={"Authorization": f"Bearer {tokens[user.id]}"},
                    )
                    for user, on in requests
                ]
            )
        return [r.status_code for r in responses]

    assert set(asyncio.run(run())) == {200}
    local, rows, sort_key = _counts(services, PAPER)
    assert 30 <= local <= 40
    assert local == rows == sort_key


def test_a_second_upvote_by_the_same_user_is_ignored_and_unvoting_takes_it_back(
    sqlite_services: Services,
) -> None:
    add_paper(sqlite_services, PAPER, external_upvotes=3, day=NOW.date())
    (user,) = _users(sqlite_services, 1)
    votes = sqlite_services.community.votes
    assert votes.set_vote(user, PAPER, True).upvotes == 4
    assert votes.set_vote(user, PAPER, True).upvotes == 4
    state = votes.set_vote(user, PAPER, False)
    assert (state.voted, state.upvotes, state.local_upvotes) == (False, 3, 0)
    assert votes.set_vote(user, PAPER, False).local_upvotes == 0  # never below zero


def test_nobody_votes_without_an_account_and_hidden_papers_take_no_votes(
    sqlite_services: Services,
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    (user,) = _users(sqlite_services, 1)
    votes = sqlite_services.community.votes
    with pytest.raises(Unauthorized):
        votes.set_vote(None, PAPER, True)
    sqlite_services.papers.set_hidden(PAPER, True)
    with pytest.raises(NotFound):
        votes.set_vote(user, PAPER, True)
    with pytest.raises(NotFound):
        votes.set_vote(user, "2608.99999", True)


def test_hf_upvotes_and_local_votes_are_kept_apart_and_shown_as_one_total(
    make_services: MakeServices, tmp_path: Path
) -> None:
    services = make_services()
    day = NOW.date().isoformat()
    services.imports.import_file(
        write_jsonl(tmp_path / "a.jsonl.gz", [hf_row(PAPER, day, upvotes=10)]), "hf-daily"
    )
    for user in _users(services, 2):
        services.community.votes.set_vote(user, PAPER, True)
    # A later import brings HF's newer count; our two votes stay ours.
    services.imports.import_file(
        write_jsonl(tmp_path / "b.jsonl.gz", [hf_row(PAPER, day, upvotes=11)]), "hf-daily"
    )
    paper = services.papers.get(PAPER)
    assert paper is not None
    assert (paper.external_upvotes, paper.local_upvotes, paper.upvotes) == (11, 2, 13)

    client = new_client(services)
    page = client.get(f"/papers/{PAPER}").text
    assert '<span class="vote-count">13</span>' in page or "▲</span> 13" in page
    assert "11 on Hugging Face + " in page and '<span class="vote-local">2</span> here' in page
    assert "▲</span> 13" in client.get(f"/date/{day}").text
    assert client.get(f"/api/papers/{PAPER}").json()["upvotes"] == 13
    listed = client.get("/api/daily_papers", params={"date": day}).json()
    assert [i["paper"]["upvotes"] for i in listed] == [13]


def test_local_votes_reorder_the_day_and_count_for_trending(sqlite_services: Services) -> None:
    add_paper(sqlite_services, "2608.10001", external_upvotes=2, day=NOW.date())
    add_paper(sqlite_services, "2608.10002", external_upvotes=1, day=NOW.date())
    feed = sqlite_services.listings
    ids = [i.paper.arxiv_id for i in feed.period_view(None).page.items]
    assert ids == ["2608.10001", "2608.10002"]
    for user in _users(sqlite_services, 3):
        sqlite_services.community.votes.set_vote(user, "2608.10002", True)
    ids = [i.paper.arxiv_id for i in feed.period_view(None).page.items]
    assert ids == ["2608.10002", "2608.10001"]
    trending = [i.paper.arxiv_id for i in feed.trending().page.items]
    assert trending == ["2608.10002", "2608.10001"]
