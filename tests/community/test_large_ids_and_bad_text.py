"""Ids no row can have, and text no database can store, are 404s and 400s, never 500s.

An id of 2^31 (past PostgreSQL's INTEGER) or 2^63 (past SQLite's) once reached the database
and came back as a 500, and the server closed the connection; a lone surrogate in comment
JSON did the same. On both databases, through the app: every route that takes an id, as its
owner (or an admin) with a valid CSRF token or API token.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from tests.community.conftest import NOW, PASSWORD, add_paper, csrf_from, log_in

PAPER = "2608.30001"
HUGE = [2**31, 2**63, 2**64 + 5]


@pytest.fixture
def admin_client(services: Services) -> tuple[TestClient, str]:
    add_paper(services, PAPER, day=NOW.date())
    community = services.community
    admin = community.accounts.create_user("root", "root@example.org", PASSWORD, admin=True)
    api_token = community.auth.create_api_token(admin, "tests")[0]
    client = TestClient(create_app(services), raise_server_exceptions=False)
    log_in(client, "root")
    return client, api_token


@pytest.mark.parametrize("big", HUGE)
def test_ids_past_any_row_are_404_on_every_route(
    admin_client: tuple[TestClient, str], big: int
) -> None:
    client, api_token = admin_client
    csrf = csrf_from(client, "/settings")
    bearer = {"Authorization": f"Bearer {api_token}"}
    answers = {
        "PATCH api comment": client.patch(
            f"/api/comments/{big}", json={"comment": "hi"}, headers=bearer
        ),
        "DELETE api comment": client.delete(f"/api/comments/{big}", headers=bearer),
        "POST api reply": client.post(
            f"/api/papers/{PAPER}/comments", json={"comment": "hi", "parentId": big}, headers=bearer
        ),
        "GET comment edit": client.get(f"/comments/{big}/edit"),
    }
    for path, data in [
        (f"/comments/{big}/edit", {"body": "hi"}),
        (f"/comments/{big}/delete", {}),
        (f"/collections/{big}/edit", {"name": "n", "description": ""}),
        (f"/collections/{big}/delete", {}),
        (f"/collections/{big}/papers", {"arxiv_id": PAPER}),
        (f"/collections/{big}/papers/remove", {"arxiv_id": PAPER}),
        (f"/settings/tokens/{big}/delete", {}),
        (f"/admin/comments/{big}/hide", {}),
    ]:
        answers[f"POST {path}"] = client.post(
            path, data={**data, "csrf_token": csrf}, follow_redirects=False
        )
    answers["GET collection"] = client.get(f"/collections/{big}")
    statuses = {name: response.status_code for name, response in answers.items()}
    wrong = {name: s for name, s in statuses.items() if s not in (403, 404)}
    assert wrong == {}
    not_found = {name: s for name, s in statuses.items() if "tokens" not in name}
    assert set(not_found.values()) == {404}, statuses
    assert client.get("/healthz").status_code == 200


def test_a_lone_surrogate_in_comment_json_is_a_400(admin_client: tuple[TestClient, str]) -> None:
    client, api_token = admin_client
    bearer = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
    created = client.post(f"/api/papers/{PAPER}/comments", json={"comment": "fine"}, headers=bearer)
    assert created.status_code in (200, 201), created.text
    comment_id = created.json()["id"]
    raw = b'{"comment": "a \\ud800 b"}'
    posted = client.post(f"/api/papers/{PAPER}/comments", content=raw, headers=bearer)
    patched = client.patch(f"/api/comments/{comment_id}", content=raw, headers=bearer)
    assert (posted.status_code, patched.status_code) == (400, 400), (posted.text, patched.text)
    assert "lone surrogate" in posted.json()["error"]["message"]
