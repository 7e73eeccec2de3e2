"""The write API: bearer tokens only; 401 without a valid one, 403 on someone else's things."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from dailypapers.services.bootstrap import Services
from tests.community.conftest import NOW, PASSWORD, add_paper, csrf_from, sign_up

PAPER = "2608.30001"


@pytest.fixture
def tokens(sqlite_services: Services) -> dict[str, str]:
    add_paper(sqlite_services, PAPER, external_upvotes=5, day=NOW.date())
    community = sqlite_services.community
    made = {}
    for name in ("alice", "bob"):
        user = community.accounts.create_user(name, f"{name}@example.org", PASSWORD)
        made[name] = community.auth.create_api_token(user, "tests")[0]
    return made


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer dp_not-a-real-token"}, {"Authorization": "Basic YTpi"}],
)
def test_writes_without_a_valid_token_are_401(
    client: TestClient, tokens: dict[str, str], headers: dict[str, str]
) -> None:
    for method, path, body in [
        ("POST", "/api/papers/index", {"arxivId": PAPER}),
        ("POST", f"/api/papers/{PAPER}/upvote", None),
        ("DELETE", f"/api/papers/{PAPER}/upvote", None),
        ("POST", f"/api/papers/{PAPER}/comments", {"comment": "hi"}),
        ("PATCH", "/api/comments/1", {"comment": "hi"}),
        ("DELETE", "/api/comments/1", None),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthorized"


def test_a_session_cookie_does_not_authenticate_the_api(
    client: TestClient, tokens: dict[str, str]
) -> None:
    sign_up(client, "carol")
    token = csrf_from(client, "/settings")
    response = client.post(f"/api/papers/{PAPER}/upvote", headers={"X-CSRF-Token": token})
    assert response.status_code == 401


def test_upvote_and_unvote_with_a_token(client: TestClient, tokens: dict[str, str]) -> None:
    url = f"/api/papers/{PAPER}/upvote"
    voted = client.post(url, headers=_auth(tokens["alice"])).json()
    assert voted == {
        "id": PAPER,
        "upvoted": True,
        "upvotes": 6,
        "local_upvotes": 1,
        "external_upvotes": 5,
    }
    assert client.post(url, headers=_auth(tokens["alice"])).json()["upvotes"] == 6
    assert client.delete(url, headers=_auth(tokens["alice"])).json()["upvotes"] == 5
    assert (
        client.post("/api/papers/2608.39999/upvote", headers=_auth(tokens["alice"])).status_code
        == 404
    )


def test_comments_from_the_api_and_403_on_someone_elses(
    client: TestClient, tokens: dict[str, str]
) -> None:
    made = client.post(
        f"/api/papers/{PAPER}/comments",
        json={"comment": "Nice *results*"},
        headers=_auth(tokens["alice"]),
    )
    assert made.status_code == 201
    comment = made.json()
    assert comment["author"] == "alice" and "<em>results</em>" in comment["html"]
    reply = client.post(
        f"/api/papers/{PAPER}/comments",
        json={"comment": "agreed", "parentId": comment["id"]},
        headers=_auth(tokens["bob"]),
    ).json()
    assert reply["parent_id"] == comment["id"]

    path = f"/api/comments/{comment['id']}"
    assert (
        client.patch(path, json={"comment": "mine now"}, headers=_auth(tokens["bob"])).status_code
        == 403
    )
    assert client.delete(path, headers=_auth(tokens["bob"])).status_code == 403
    edited = client.patch(path, json={"comment": "Nice results!"}, headers=_auth(tokens["alice"]))
    assert edited.json()["body"] == "Nice results!" and edited.json()["edited_at"]

    threads = client.get(f"/api/papers/{PAPER}/comments").json()
    assert [t["body"] for t in threads] == ["Nice results!"]
    assert [r["body"] for r in threads[0]["replies"]] == ["agreed"]
    assert client.delete(path, headers=_auth(tokens["alice"])).json()["deleted"] is True
    threads = client.get(f"/api/papers/{PAPER}/comments").json()
    assert threads[0]["deleted"] and threads[0]["body"] is None  # its reply keeps it


def test_index_submits_a_paper_in_hugging_faces_shape(
    client: TestClient, sqlite_services: Services, tokens: dict[str, str]
) -> None:
    add_paper(sqlite_services, "2608.30002", published=NOW - timedelta(days=2))
    response = client.post(
        "/api/papers/index",
        json={"arxivId": "https://arxiv.org/abs/2608.30002v2"},
        headers=_auth(tokens["bob"]),
    )
    assert response.status_code == 200
    paper = response.json()
    assert paper["id"] == "2608.30002"
    assert paper["submittedOnDailyBy"] == {"user": "bob", "name": "bob"}
    again = client.post(
        "/api/papers/index", json={"arxivId": "2608.30002"}, headers=_auth(tokens["alice"])
    )
    assert again.status_code == 409
    bad = client.post("/api/papers/index", json={"arxivId": "nope"}, headers=_auth(tokens["bob"]))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_arxiv_id"


def test_a_revoked_token_stops_working(
    client: TestClient, sqlite_services: Services, tokens: dict[str, str]
) -> None:
    alice = sqlite_services.community.accounts.user("alice")
    (token,) = sqlite_services.community.auth.api_tokens(alice)
    assert token.prefix == tokens["alice"][:10] and tokens["alice"].startswith("dp_")
    sqlite_services.community.auth.revoke_api_token(alice, token.id)
    response = client.post(f"/api/papers/{PAPER}/upvote", headers=_auth(tokens["alice"]))
    assert response.status_code == 401


def test_a_new_token_is_shown_once_on_the_settings_page(
    client: TestClient, sqlite_services: Services
) -> None:
    sign_up(client, "carol")
    token = csrf_from(client, "/settings")
    page = client.post("/settings/tokens", data={"name": "laptop", "csrf_token": token})
    assert page.headers["cache-control"] == "no-store"
    secret = page.text.split("<pre><code>")[1].split("</code>")[0]
    assert secret.startswith("dp_")
    assert secret not in client.get("/settings").text
    user = sqlite_services.community.accounts.user("carol")
    assert sqlite_services.community.auth.user_for_bearer(f"Bearer {secret}") == user
