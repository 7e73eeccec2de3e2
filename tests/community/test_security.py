"""Security of the community features, through the real app: CSRF, XSS, SQL injection,
session fixation, brute force, private collections, cookies, redirects."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from dailypapers.storage.community_tables import comments, users
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

PAPER = "2608.20001"


# --- CSRF ----------------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_form_post_without_the_right_csrf_token_is_rejected(
    client: TestClient, sqlite_services: Services, token: str | None
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    extra = {} if token is None else {"csrf_token": token}
    for path, form in [
        (f"/papers/{PAPER}/upvote", {"vote": "1"}),
        (f"/papers/{PAPER}/comments", {"body": "hello"}),
        ("/collections", {"name": "mine"}),
        ("/settings/tokens", {"name": "x"}),
        ("/logout", {}),
    ]:
        response = client.post(path, data={**form, **extra}, follow_redirects=False)
        assert response.status_code == 403, path
        assert "csrf_failed" in response.text
    # Nothing happened: no vote, no comment, still logged in.
    assert sqlite_services.papers.get(PAPER).local_upvotes == 0
    assert sqlite_services.community.comments.threads(PAPER) == []
    assert client.get("/settings", follow_redirects=False).status_code == 200


def test_the_login_form_itself_needs_its_csrf_token(client: TestClient) -> None:
    sign_up(new_client_for(client), "alice")
    response = client.post("/login", data={"login": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "dp_session" not in response.headers.get("set-cookie", "")


def test_a_token_from_another_session_is_rejected(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    mallory = new_client(sqlite_services)
    sign_up(mallory, "mallory")
    her_token = csrf_from(mallory, "/settings")
    response = client.post(f"/papers/{PAPER}/upvote", data={"csrf_token": her_token})
    assert response.status_code == 403


def test_the_csrf_token_can_come_in_a_header_for_scripts(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    token = csrf_from(client, "/settings")
    response = client.post(
        f"/papers/{PAPER}/upvote",
        data={"vote": "1"},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert response.json()["upvoted"] is True


# --- XSS -----------------------------------------------------------------------------------
SCRIPT = "<script>alert('pwned')</script>"
OUR_SCRIPTS = [
    '<script src="/static/theme.js">',
    '<script src="/static/keys.js" defer>',
    '<script src="/static/community.js" defer>',
]


def test_script_in_a_comment_title_or_abstract_renders_inert(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(
        sqlite_services,
        PAPER,
        title=f"A title {SCRIPT}",
        abstract=f"An abstract <img src=x onerror=alert(1)> {SCRIPT}",
        day=NOW.date(),
    )
    sign_up(client, "alice")
    token = csrf_from(client, "/settings")
    for body in [
        f"Look {SCRIPT}",
        '[click](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>',
        '<img src=x onerror="alert(3)"> ![img](https://evil.example/x.png)',
        "<iframe src=https://evil.example></iframe> **bold** `code`",
    ]:
        client.post(f"/papers/{PAPER}/comments", data={"body": body, "csrf_token": token})
    client.post(
        "/collections",
        data={"name": f"list {SCRIPT}", "public": "1", "arxiv_id": PAPER, "csrf_token": token},
    )
    collection_id = sqlite_services.community.collections.of_user(
        sqlite_services.community.accounts.user("alice"), None
    )[0].id

    for path in [f"/papers/{PAPER}", "/", "/u/alice", f"/collections/{collection_id}"]:
        page = client.get(path).text
        tags = re.findall(r"<[a-zA-Z][^>]*>", page)  # the markup a browser would build
        assert not [
            t for t in tags if re.match(r"<(script|img|iframe)\b", t, re.I) and t not in OUR_SCRIPTS
        ], path
        assert not [t for t in tags if re.search(r"\son\w+\s*=", t, re.I)], path
        assert not [t for t in tags if re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", t, re.I)]
    page = client.get(f"/papers/{PAPER}").text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert "<strong>bold</strong>" in page and "<code>code</code>" in page  # Markdown works
    # The only scripts on the page are our own files.
    assert re.findall(r"<script[^>]*>", page) == OUR_SCRIPTS


# --- SQL injection -------------------------------------------------------------------------
NASTY = [
    "'; DROP TABLE users; --",
    '" OR "1"="1',
    "1' OR '1'='1' --",
    "x%' UNION SELECT password_hash FROM users --",
    "\\'; DELETE FROM votes; --",
    "Robert'); DROP TABLE comments;--",
]


def test_sql_metacharacters_in_every_input_are_harmless(
    make_services: MakeServices, database_url: str
) -> None:
    services = make_services(database_url)
    add_paper(services, PAPER, day=NOW.date())
    client = new_client(services)
    sign_up(client, "alice")
    token = csrf_from(client, "/settings")
    api = TestClient(client.app)
    statuses = []

    def post(path: str, **form: str) -> None:
        response = client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
        statuses.append((path, response.status_code))

    for nasty in NASTY:  # every form field and path segment a user controls gets each one
        post(f"/papers/{PAPER}/comments", body=nasty)
        post(f"/papers/{PAPER}/comments", body="reply", parent_id=nasty)
        post("/collections", name=nasty, description=nasty, public="1")
        post("/collections", name="x", arxiv_id=nasty)
        post("/submit", arxiv_id=nasty)
        post(f"/papers/{nasty}/upvote", vote="1")
        post("/settings/tokens", name=nasty)
        post("/forgot-password", email=nasty)
        post("/login", login=nasty, password=nasty)
        post("/signup", username=nasty, email=f"{nasty}@x.org", password=nasty * 3)
        for path in [f"/u/{nasty}", f"/collections/{nasty}", f"/papers/{nasty}"]:
            statuses.append((path, client.get(path).status_code))
        response = api.post("/api/papers/index", json={"arxivId": nasty})
        statuses.append(("/api/papers/index", response.status_code))
        response = api.post(f"/api/papers/{PAPER}/upvote", headers={"Authorization": nasty})
        statuses.append(("/api/.../upvote", response.status_code))

    assert all(code < 500 for _, code in statuses), statuses
    # Stored exactly as typed, every table intact, no other account appeared.
    typed = {n.strip() for n in NASTY}
    with services.db.read() as conn:
        assert set(conn.execute(sa.select(comments.c.body)).scalars()) == typed
        assert conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() == 1
    alice = services.community.accounts.user("alice")
    assert typed <= {c.name for c in services.community.collections.of_user(alice, alice)}
    assert typed <= {t.name for t in services.community.auth.api_tokens(alice)}
    assert services.papers.count() == 1


# --- sessions ------------------------------------------------------------------------------
def test_a_session_id_from_before_login_is_not_valid_after_it(
    client: TestClient, sqlite_services: Services
) -> None:
    sign_up(new_client(sqlite_services), "alice")
    client.get("/login")  # a logged-out visitor gets a session (for the form's CSRF token)
    before = client.cookies.get("dp_session")
    assert before
    assert log_in(client, "alice").status_code == 303
    after = client.cookies.get("dp_session")
    assert after and after != before
    assert client.get("/settings", follow_redirects=False).status_code == 200

    # Someone who planted or saw the pre-login id gets nothing from it.
    attacker = new_client(sqlite_services)
    attacker.cookies.set("dp_session", before)
    assert attacker.get("/settings", follow_redirects=False).status_code == 303
    assert sqlite_services.community.auth.session(before) is None


def test_logging_out_ends_the_session_on_the_server(
    client: TestClient, sqlite_services: Services
) -> None:
    sign_up(client, "alice")
    cookie = client.cookies.get("dp_session")
    token = csrf_from(client, "/settings")
    client.post("/logout", data={"csrf_token": token})
    assert sqlite_services.community.auth.session(cookie) is None


def test_session_cookies_are_httponly_samesite_lax_and_secure_on_https(
    make_services: MakeServices,
) -> None:
    services = make_services(base_url="https://papers.example.org")
    response = TestClient(create_app(services), base_url="https://papers.example.org").get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-dp_session=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie
    # Local development over http: not Secure (it would never come back), unless asked.
    local = make_services(base_url="http://localhost:8000")
    plain = TestClient(create_app(local)).get("/login").headers["set-cookie"]
    assert plain.startswith("dp_session=") and "Secure" not in plain


def test_a_disabled_user_loses_sessions_and_api_tokens_at_once(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    alice = sqlite_services.community.accounts.user("alice")
    secret, _ = sqlite_services.community.auth.create_api_token(alice, "script")
    sqlite_services.community.accounts.set_disabled("alice", True)
    assert client.get("/settings", follow_redirects=False).status_code == 303
    response = client.post(
        f"/api/papers/{PAPER}/upvote", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401
    assert log_in(new_client(sqlite_services), "alice").status_code == 403


# --- brute force ---------------------------------------------------------------------------
def test_too_many_failed_logins_lock_the_account_even_for_the_right_password(
    make_services: MakeServices, database_url: str
) -> None:
    services = make_services(database_url, login_max_attempts_per_account=3)
    services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    # Two web processes: the count lives in the database, so both see it.
    other = make_services(database_url, clock=services.clock, login_max_attempts_per_account=3)
    browsers = [new_client(services), new_client(other)]
    codes = [log_in(browsers[i % 2], "alice", password=f"guess{i}").status_code for i in range(3)]
    assert codes == [401, 401, 401]
    assert log_in(browsers[0], "alice").status_code == 429
    assert log_in(browsers[1], "ALICE@example.org").status_code == 429
    # After the window the right password works again.
    services.clock.advance(minutes=services.settings.login_window_minutes + 1)
    assert log_in(browsers[1], "alice").status_code == 303


def test_too_many_failed_logins_from_one_address_are_refused(
    make_services: MakeServices,
) -> None:
    services = make_services(login_max_attempts_per_ip=4, login_max_attempts_per_account=100)
    services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    browser = new_client(services)
    codes = [log_in(browser, f"user{i}", password="nope").status_code for i in range(4)]
    assert codes == [401] * 4
    assert log_in(browser, "alice").status_code == 429


def test_a_successful_login_clears_the_accounts_failures(make_services: MakeServices) -> None:
    services = make_services(login_max_attempts_per_account=3)
    services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    browser = new_client(services)
    for _ in range(2):
        assert log_in(browser, "alice", password="wrong").status_code == 401
    assert log_in(browser, "alice").status_code == 303
    other = new_client(services)
    for _ in range(2):
        assert log_in(other, "alice", password="wrong").status_code == 401
    assert log_in(other, "alice").status_code == 303


# --- privacy and redirects -----------------------------------------------------------------
def test_another_users_private_collection_is_404(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    sign_up(client, "alice")
    token = csrf_from(client, "/settings")
    client.post("/collections", data={"name": "secret list", "csrf_token": token})
    alice = sqlite_services.community.accounts.user("alice")
    (private,) = sqlite_services.community.collections.of_user(alice, alice)
    assert client.get(f"/collections/{private.id}").status_code == 200

    bob = new_client(sqlite_services)
    sign_up(bob, "bob")
    bob_token = csrf_from(bob, "/settings")
    assert bob.get(f"/collections/{private.id}").status_code == 404
    assert bob.get(f"/collections/{private.id}?format=json").status_code == 404
    added = bob.post(
        f"/collections/{private.id}/papers", data={"arxiv_id": PAPER, "csrf_token": bob_token}
    )
    assert added.status_code == 404
    assert new_client(sqlite_services).get(f"/collections/{private.id}").status_code == 404
    assert "secret list" not in bob.get("/u/alice").text
    assert sqlite_services.community.collections.view(alice, private.id).papers == []


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_never_redirects_off_the_site(
    client: TestClient, sqlite_services: Services, target: str
) -> None:
    sign_up(new_client(sqlite_services), "alice")
    token = csrf_from(client, "/login")
    response = client.post(
        "/login",
        data={"login": "alice", "password": PASSWORD, "next": target, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def new_client_for(client: TestClient) -> TestClient:
    return TestClient(client.app)


def test_only_listed_token_in_url_paths_skip_the_csrf_check(client: TestClient) -> None:
    # The one-click unsubscribe comes from mail providers' servers, with no session: it is
    # authorised by the token in its URL (an unknown token here), not refused as CSRF.
    one_click = client.post("/unsubscribe/not-a-real-token", content=b"List-Unsubscribe=One-Click")
    assert one_click.status_code != 403
    for path in ["/subscribe", "/settings/tokens"]:
        assert client.post(path, data={"x": "1"}).status_code == 403, path
    # No route takes these: nothing runs, so the router's 404/405 answers, not the CSRF 403.
    for path in ["/subscribe-me", "/unsubscribe"]:
        assert client.post(path, data={"x": "1"}).status_code in (404, 405), path


def test_pages_for_a_visitor_with_a_session_are_not_cached_by_shared_caches(
    client: TestClient, sqlite_services: Services
) -> None:
    add_paper(sqlite_services, PAPER, day=NOW.date())
    assert "cache-control" not in client.get("/").headers  # no session: cacheable as before
    sign_up(client, "alice")
    assert client.get("/").headers["cache-control"] == "private, no-cache"
