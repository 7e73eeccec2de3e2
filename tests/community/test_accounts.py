"""Accounts: sign-up, emailed links that work once and expire, password changes, hashing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from dailypapers.config import Settings
from dailypapers.errors import BadRequest, Conflict, Forbidden, Unauthorized
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.storage.community_tables import users
from tests.community.conftest import (
    CHEAP_ARGON2,
    PASSWORD,
    FakeClock,
    MakeServices,
    RecordingMailer,
    csrf_from,
    log_in,
    new_client,
    sign_up,
)
from tests.databases import sqlite_copy
from tests.mail_support import SmtpServer, smtp  # noqa: F401


def test_reset_and_verification_tokens_work_once_and_expire(
    services: Services, clock: FakeClock, mailer: RecordingMailer
) -> None:
    accounts, auth = services.community.accounts, services.community.auth
    alice = accounts.sign_up("alice", "alice@example.org", PASSWORD)
    verify = mailer.last_link("/verify-email/")
    assert accounts.verify_email(verify).email_verified
    with pytest.raises(BadRequest, match="used, or it expired"):
        accounts.verify_email(verify)  # single use

    accounts.request_password_reset("ALICE@example.org")  # addresses match in any case
    reset = mailer.last_link("/reset-password/")
    assert accounts.reset_token_usable(reset)
    accounts.reset_password(reset, "a brand new password")
    with pytest.raises(BadRequest, match="used, or it expired"):
        accounts.reset_password(reset, "yet another password")
    auth.login("alice", "a brand new password", client="t")
    with pytest.raises(Unauthorized):
        auth.login("alice", "yet another password", client="t")

    # Expiry, on the fixed clock: a link one second too old is dead.
    accounts.request_password_reset("alice@example.org")
    late = mailer.last_link("/reset-password/")
    clock.advance(minutes=services.settings.password_reset_minutes, seconds=1)
    assert not accounts.reset_token_usable(late)
    with pytest.raises(BadRequest):
        accounts.reset_password(late, "too late password")

    bob = accounts.sign_up("bob", "bob@example.org", PASSWORD)
    old_link = mailer.last_link("/verify-email/")
    clock.advance(hours=services.settings.email_verification_hours, seconds=1)
    with pytest.raises(BadRequest):
        accounts.verify_email(old_link)
    assert not accounts.user("bob").email_verified
    accounts.send_verification(bob)  # a fresh link works
    assert accounts.verify_email(mailer.last_link("/verify-email/")).email_verified
    assert alice.id != bob.id


def test_a_password_reset_logs_out_every_session(
    client: TestClient, sqlite_services: Services, mailer: RecordingMailer
) -> None:
    sign_up(client, "alice")
    assert client.get("/settings", follow_redirects=False).status_code == 200
    other = new_client(sqlite_services)
    token = csrf_from(other, "/forgot-password")
    page = other.post("/forgot-password", data={"email": "alice@example.org", "csrf_token": token})
    assert "If an account uses that address" in page.text
    reset = mailer.last_link("/reset-password/")
    assert other.get(f"/reset-password/{reset}").status_code == 200
    done = other.post(
        f"/reset-password/{reset}",
        data={"password": "the new password", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/login?reset=1"
    assert client.get("/settings", follow_redirects=False).status_code == 303  # logged out
    assert other.get(f"/reset-password/{reset}").status_code == 400  # used up
    assert log_in(other, "alice", password="the new password").status_code == 303


def test_asking_for_a_reset_does_not_tell_who_has_an_account(
    sqlite_services: Services, mailer: RecordingMailer
) -> None:
    sqlite_services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    client = new_client(sqlite_services)
    token = csrf_from(client, "/forgot-password")
    pages = [
        client.post("/forgot-password", data={"email": email, "csrf_token": token})
        for email in ("alice@example.org", "nobody@example.org")
    ]
    assert [p.status_code for p in pages] == [200, 200]
    assert pages[0].text.replace("alice@example.org", "X") == pages[1].text.replace(
        "nobody@example.org", "X"
    )
    assert len(mailer.sent) == 1


def test_reset_mail_to_one_account_is_rate_limited(
    make_services: MakeServices, mailer: RecordingMailer
) -> None:
    services = make_services(mailer=mailer, login_max_attempts_per_account=2)
    services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    for _ in range(5):
        services.community.accounts.request_password_reset("alice@example.org")
    assert len(mailer.sent) == 2


def test_email_verification_goes_through_a_button_not_the_link_alone(
    client: TestClient, sqlite_services: Services, mailer: RecordingMailer
) -> None:
    sign_up(client, "alice")
    link = mailer.last_link("/verify-email/")
    assert "Confirm my address" in client.get(f"/verify-email/{link}").text
    assert not sqlite_services.community.accounts.user("alice").email_verified  # GET: nothing
    token = csrf_from(client, "/settings")
    page = client.post(f"/verify-email/{link}", data={"csrf_token": token})
    assert "is confirmed" in page.text
    assert sqlite_services.community.accounts.user("alice").email_verified


def test_usernames_and_addresses_are_unique_regardless_of_case(
    sqlite_services: Services,
) -> None:
    accounts = sqlite_services.community.accounts
    accounts.create_user("Alice", "alice@example.org", PASSWORD)
    with pytest.raises(Conflict, match="taken"):
        accounts.create_user("alice", "other@example.org", PASSWORD)
    with pytest.raises(Conflict, match="already registered"):
        accounts.create_user("alice2", "ALICE@example.org", PASSWORD)
    for bad in ["a", "-dash", "has space", "x" * 33, "émile", "<b>"]:
        with pytest.raises(BadRequest):
            accounts.create_user(bad, f"{len(bad)}@example.org", PASSWORD)
    with pytest.raises(BadRequest, match="at least"):
        accounts.create_user("shorty", "s@example.org", "short")


def test_passwords_are_stored_as_argon2id_hashes_only(sqlite_services: Services) -> None:
    sqlite_services.community.accounts.create_user("alice", "alice@example.org", PASSWORD)
    with sqlite_services.db.read() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_changing_the_password_needs_the_current_one_and_keeps_this_session(
    client: TestClient, sqlite_services: Services
) -> None:
    sign_up(client, "alice")
    elsewhere = new_client(sqlite_services)
    log_in(elsewhere, "alice")
    token = csrf_from(client, "/settings")
    wrong = client.post(
        "/settings/password",
        data={"current_password": "nope", "new_password": "x" * 12, "csrf_token": token},
    )
    assert wrong.status_code == 403
    client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": "x" * 12, "csrf_token": token},
    )
    assert client.get("/settings", follow_redirects=False).status_code == 200
    assert elsewhere.get("/settings", follow_redirects=False).status_code == 303


def test_closed_sign_ups_refuse_but_the_cli_still_creates(make_services: MakeServices) -> None:
    services = make_services(signups_open=False)
    with pytest.raises(Forbidden):
        services.community.accounts.sign_up("alice", "alice@example.org", PASSWORD)
    assert services.community.accounts.create_user("alice", "a@example.org", PASSWORD)


def test_unverified_users_can_not_post_where_the_site_requires_it(
    make_services: MakeServices, mailer: RecordingMailer
) -> None:
    services = make_services(mailer=mailer, require_verified_email=True)
    alice = services.community.accounts.sign_up("alice", "alice@example.org", PASSWORD)
    with pytest.raises(Forbidden, match="confirm your email"):
        services.community.collections.create(alice, "mine")
    alice = services.community.accounts.verify_email(mailer.last_link("/verify-email/"))
    assert services.community.collections.create(alice, "mine").name == "mine"


def test_account_links_are_sent_by_the_site_mailer_as_the_other_mails_are(
    tmp_path: Path,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    """Sign-up and reset mail go through the one mailer (`mail_backend`) and are built like
    digests and confirmations: plain text and HTML, the site's From and Message-ID domain."""
    services = bootstrap(
        Settings(
            data_dir=tmp_path,
            database_url=sqlite_copy(tmp_path / "mail.db"),
            **CHEAP_ARGON2,
            **smtp.settings(),
        ),
        clock=FakeClock(),
    )
    try:
        services.upgrade_schema()
        accounts = services.community.accounts
        accounts.sign_up("alice", "alice@example.org", PASSWORD)
        accounts.request_password_reset("alice@example.org")
        verify, reset = (r.message for r in smtp.inbox.wait_for(2))
    finally:
        services.close()
    for message, path in ((verify, "/verify-email/"), (reset, "/reset-password/")):
        assert message["From"] == "Daily Papers <papers@example.org>"
        assert message["Message-ID"].endswith("@example.org>")
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        link = re.search(rf"https://papers\.example\.org{path}\S+", text)
        assert link and f'href="{link[0]}"' in html
    assert verify["Subject"].startswith("Confirm your email address")
    assert reset["Subject"].startswith("Reset your password")
