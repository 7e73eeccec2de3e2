"""Logged-out visitors write no session rows, and their forms still carry a working token.

Each cookieless GET /login once wrote a session row (about 585 a second from one client, kept
12 hours). Now a logged-out visitor's session is a cookie whose CSRF token is derived from it;
the first row is written when someone logs in or signs up.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from dailypapers.storage.community_tables import sessions
from tests.community.conftest import PASSWORD, csrf_from, log_in


def _session_rows(services: Services) -> int:
    with services.db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()


def test_cookieless_visits_write_no_sessions_and_logging_in_still_works(
    services: Services,
) -> None:
    services.community.accounts.create_user("ada", "ada@example.org", PASSWORD)
    app = create_app(services)
    for _ in range(30):
        with TestClient(app) as visitor:  # a fresh cookie jar each time
            assert visitor.get("/login").status_code == 200
    assert _session_rows(services) == 0

    with TestClient(app) as client:
        wrong = client.post("/login", data={"login": "ada", "password": PASSWORD})
        assert wrong.status_code == 403  # no token: still refused
        other = TestClient(app)
        foreign = csrf_from(other, "/login")  # another visitor's token doesn't fit this cookie
        csrf_from(client, "/login")
        refused = client.post(
            "/login", data={"login": "ada", "password": PASSWORD, "csrf_token": foreign}
        )
        assert refused.status_code == 403
        assert log_in(client, "ada").status_code == 303
        assert "Log out" in client.get("/settings").text
    assert _session_rows(services) == 1
