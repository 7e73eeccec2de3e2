"""Submissions, comments and collections as people use them: through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from dailypapers.domain.papers import Paper
from dailypapers.errors import BadRequest, Conflict, Forbidden, NotFound, SourceError
from dailypapers.services.bootstrap import Services
from tests.community.conftest import (
    NOW,
    PASSWORD,
    MakeServices,
    add_paper,
    csrf_from,
    log_in,
    new_client,
    sign_up,
)

PAPER = "2608.40001"


def test_a_submitted_paper_appears_on_todays_page_submitted_by_its_user(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, "2608.40009", day=NOW.date() - timedelta(days=3))
    add_paper(sqlite_services, PAPER, published=NOW - timedelta(days=5))  # not featured yet
    sign_up(client, "alice")
    token = csrf_from(client, "/submit")
    response = client.post(
        "/submit", data={"arxiv_id": f"arxiv.org/abs/{PAPER}v1", "csrf_token": token}
    )
    assert response.url.path == f"/papers/{PAPER}"
    today = client.get(f"/date/{NOW.date().isoformat()}").text
    assert f"/papers/{PAPER}" in today and 'submitted by <a href="/u/alice">@alice</a>' in today
    profile = client.get("/u/alice?format=json").json()
    assert [s["id"] for s in profile["submissions"]] == [PAPER]
    listed = client.get("/api/daily_papers", params={"submitter": "alice"}).json()
    assert [i["paper"]["id"] for i in listed] == [PAPER]


def test_submission_rules_once_per_paper_recent_only_and_a_clear_error_for_unknown_papers(
    sqlite_services: Services,
) -> None:
    community = sqlite_services.community
    alice = community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    days = sqlite_services.settings.submission_max_age_days
    add_paper(sqlite_services, "2608.40002", published=NOW - timedelta(days=days, hours=1))
    add_paper(sqlite_services, "2608.40003", day=NOW.date() - timedelta(days=1))
    add_paper(sqlite_services, "2608.40004")
    with pytest.raises(BadRequest, match=f"last {days} days"):
        community.submissions.submit(alice, "2608.40002")
    with pytest.raises(Conflict, match="already been submitted"):
        community.submissions.submit(alice, "2608.40003")  # featured from HF already
    community.submissions.submit(alice, "2608.40004")
    with pytest.raises(Conflict):
        community.submissions.submit(alice, "2608.40004")
    with pytest.raises(SourceError, match=r"could not fetch 2608\.49999 from arXiv"):
        community.submissions.submit(alice, "2608.49999")  # arXiv unreachable: a clear error


def test_a_paper_fetcher_brings_in_papers_the_database_lacks(make_services: MakeServices) -> None:
    class FakeArxiv:
        def fetch(self, arxiv_id: str) -> Paper | None:
            if arxiv_id != "2608.40005":
                return None
            return Paper(arxiv_id, "Fetched", "From arXiv.", published_at=NOW - timedelta(days=1))

    services = make_services()
    services.community.submissions.fetcher = FakeArxiv()
    alice = services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    item = services.community.submissions.submit(alice, "2608.40005")
    assert (item.paper.title, item.day, item.submitted_by) == ("Fetched", NOW.date(), "alice")
    with pytest.raises(NotFound, match="arXiv has no paper"):
        services.community.submissions.submit(alice, "2608.40006")


def test_comments_have_one_level_of_replies_and_only_their_author_edits_them(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    comments = sqlite_services.community.comments
    accounts = sqlite_services.community.accounts
    alice = accounts.create_user("alice", "alice@example.org", PASSWORD)
    bob = accounts.create_user("bob", "bob@example.org", PASSWORD)
    top = comments.add(alice, PAPER, "First!")
    reply = comments.add(bob, PAPER, "A reply", parent_id=top.id)
    deeper = comments.add(alice, PAPER, "A reply to the reply", parent_id=reply.id)
    assert reply.parent_id == deeper.parent_id == top.id  # folded into the one thread
    with pytest.raises(Forbidden):
        comments.edit(bob, top.id, "hijacked")
    with pytest.raises(Forbidden):
        comments.delete(bob, top.id)
    with pytest.raises(BadRequest):
        comments.add(alice, PAPER, "   ")
    with pytest.raises(BadRequest, match="longer than"):
        comments.add(alice, PAPER, "x" * (sqlite_services.settings.max_comment_chars + 1))
    comments.edit(alice, top.id, "First, edited")
    comments.delete(bob, reply.id)
    (thread,) = comments.threads(PAPER)
    assert thread.comment.body == "First, edited" and thread.comment.edited_at is not None
    assert [r.body for r in thread.replies] == ["A reply to the reply"]

    page = client.get(f"/papers/{PAPER}").text
    assert "First, edited" in page and "A reply to the reply" in page
    assert "Discussion <small>(2)</small>" in page


def test_collections_add_and_remove_from_the_paper_page_and_show_on_the_profile(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    token = csrf_from(client, f"/papers/{PAPER}")
    client.post(
        "/collections",
        data={"name": "To read", "public": "1", "arxiv_id": PAPER, "csrf_token": token},
    )
    alice = sqlite_services.community.accounts.user("alice")
    (collection,) = sqlite_services.community.collections.of_user(alice, alice)
    page = client.get(f"/papers/{PAPER}").text
    assert f'action="/collections/{collection.id}/papers/remove"' in page
    assert [
        p["id"] for p in client.get(f"/collections/{collection.id}?format=json").json()["items"]
    ] == [PAPER]

    client.post(
        f"/collections/{collection.id}/papers/remove",
        data={"arxiv_id": PAPER, "csrf_token": token, "next": f"/papers/{PAPER}"},
    )
    page = client.get(f"/papers/{PAPER}").text
    assert f'action="/collections/{collection.id}/papers"' in page
    stranger = new_client(sqlite_services)
    assert "To read" in stranger.get("/u/alice").text  # public: on the profile
    assert stranger.get(f"/collections/{collection.id}").status_code == 200
    sign_up(stranger, "bob")
    bob_token = csrf_from(stranger, "/settings")
    for action in ("delete", "edit"):
        response = stranger.post(
            f"/collections/{collection.id}/{action}", data={"name": "x", "csrf_token": bob_token}
        )
        assert response.status_code == 403  # public is readable, not writable
    assert (
        sqlite_services.community.collections.view(None, collection.id).collection.name == "To read"
    )


def test_upvotes_show_on_the_profile_only_if_the_user_makes_them_public(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    token = csrf_from(client, "/settings")
    client.post(f"/papers/{PAPER}/upvote", data={"vote": "1", "csrf_token": token})
    stranger = new_client(sqlite_services)
    assert [p["id"] for p in stranger.get("/u/alice?format=json").json()["upvotes"]] == [PAPER]
    client.post("/settings/profile", data={"csrf_token": token})  # box unticked
    assert stranger.get("/u/alice?format=json").json()["upvotes"] is None
    assert "keeps their upvotes private" in stranger.get("/u/alice").text
    assert client.get("/u/alice?format=json").json()["upvotes"]  # she still sees her own


def test_the_upvote_button_works_as_a_plain_form_and_shows_the_state(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, external_upvotes=4, day=NOW.date())
    assert 'href="/login?next=%2F"' in client.get("/").text  # logged out: a link to log in
    sign_up(client, "alice")
    page = client.get("/").text
    assert 'aria-pressed="false"' in page and '<span class="vote-count">4</span>' in page
    token = csrf_from(client, "/")
    back = client.post(
        f"/papers/{PAPER}/upvote",
        data={"vote": "1", "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    assert back.status_code == 303 and back.headers["location"] == "/"
    page = client.get("/").text
    assert 'aria-pressed="true"' in page and '<span class="vote-count">5</span>' in page
    assert 'name="vote" value="0"' in page  # clicking again takes it back
    js = client.get("/static/community.js")
    assert js.status_code == 200 and "vote-form" in js.text


def test_admins_hide_papers_and_comments_and_disable_users(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    accounts = sqlite_services.community.accounts
    accounts.create_user("root", "root@example.org", PASSWORD, admin=True)
    bob = accounts.create_user("bob", "bob@example.org", PASSWORD)
    spam = sqlite_services.community.comments.add(bob, PAPER, "buy now")
    moderation = sqlite_services.community.moderation
    with pytest.raises(Forbidden):
        moderation.hide_paper(bob, PAPER)

    assert log_in(client, "root").status_code == 303
    token = csrf_from(client, "/admin")
    client.post(f"/admin/comments/{spam.id}/hide", data={"csrf_token": token})
    assert "buy now" not in new_client(sqlite_services).get(f"/papers/{PAPER}").text
    client.post("/admin/users/disable", data={"username": "bob", "csrf_token": token})
    assert accounts.user("bob").disabled
    assert new_client(sqlite_services).get("/u/bob").status_code == 404
    client.post("/admin/papers/hide", data={"arxiv_id": PAPER, "csrf_token": token})
    assert new_client(sqlite_services).get(f"/papers/{PAPER}").status_code == 404
    client.post("/admin/papers/hide", data={"arxiv_id": PAPER, "hidden": "0", "csrf_token": token})
    assert new_client(sqlite_services).get(f"/papers/{PAPER}").status_code == 200
