"""Signing up tells nothing about whether an address has an account (issue 14, finding 6).

Through the real app and a real SMTP server, on SQLite and PostgreSQL: a new address and a
registered one get the same status and the same page, after the same work (one password
hash each); the new address gets its confirmation link, the registered one's owner a mail
saying someone tried (with links to log in and reset the password), and no second account
appears. A taken username still says so: usernames are public on profiles.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.storage.community_tables import users
from tests.community.conftest import (
    CHEAP_ARGON2,
    OFFLINE_ARXIV,
    PASSWORD,
    FakeClock,
    csrf_from,
)
from tests.mail_support import SmtpServer, free_port, smtp  # noqa: F401

SITE = "https://papers.example.org"


class CountingHashes:
    """The real hasher, counting the hashes it makes."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.made = 0

    def hash(self, password: str) -> str:
        self.made += 1
        return self.real.hash(password)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def _sign_up(client: TestClient, username: str, email: str):
    return client.post(
        "/signup",
        data={
            "username": username,
            "email": email,
            "password": PASSWORD,
            "csrf_token": csrf_from(client, "/signup"),
        },
        follow_redirects=False,
    )


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _user_rows(services: Services) -> list[tuple[str, str]]:
    with services.db.read() as conn:
        return sorted(
            tuple(row) for row in conn.execute(sa.select(users.c.username, users.c.email))
        )


def test_a_registered_address_gets_the_same_answer_as_a_new_one_and_its_owner_a_mail(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    accounts = smtp_services.community.accounts
    accounts.create_user("ada", "ada@example.org", PASSWORD, verified=True)
    hashes = CountingHashes(accounts.passwords.hasher)
    accounts.passwords.hasher = hashes  # type: ignore[assignment]
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        taken = _sign_up(client, "mallory", "ada@example.org")
        hashes_for_taken, hashes.made = hashes.made, 0
        new = _sign_up(client, "bob", "bob@example.org")
    assert (taken.status_code, new.status_code) == (200, 200)
    assert "set-cookie" not in taken.headers and "set-cookie" not in new.headers
    assert taken.text.replace("ada@", "bob@") == new.text
    assert "Check your mail" in new.text
    assert hashes_for_taken == hashes.made == 1  # the same work before either answer

    smtp.inbox.wait_for(2)
    [to_ada] = smtp.inbox.to("ada@example.org")
    [to_bob] = smtp.inbox.to("bob@example.org")
    assert [r.rcpt_tos for r in smtp.inbox.messages] == [["ada@example.org"], ["bob@example.org"]]
    assert to_ada["Subject"].startswith("Someone tried to sign up with your address")
    assert f"{SITE}/login" in _text(to_ada) and f"{SITE}/forgot-password" in _text(to_ada)
    assert "/verify-email/" not in _text(to_ada)
    assert to_bob["Subject"].startswith("Confirm your email address")
    assert f"{SITE}/verify-email/" in _text(to_bob)

    # No account made twice: ada's is untouched, "mallory" never appeared.
    assert _user_rows(smtp_services) == [("ada", "ada@example.org"), ("bob", "bob@example.org")]
    assert accounts.passwords.verify(accounts.users.password_hash(1), PASSWORD)


def test_signing_up_again_with_ones_own_address_and_name_makes_nothing_new(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    """The same sign-up twice (a double click, a forgotten account): one account, and
    the second answer is the first one again, not "already registered"."""
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        first = _sign_up(client, "bob", "bob@example.org")
        again = _sign_up(client, "bobby", "BOB@example.org")
    assert first.status_code == again.status_code == 200
    assert first.text.replace("bob@", "BOB@") == again.text
    mails = smtp.inbox.wait_for(2)
    assert [m.rcpt_tos for m in mails] == [["bob@example.org"], ["bob@example.org"]]
    assert _user_rows(smtp_services) == [("bob", "bob@example.org")]


def test_a_taken_username_is_said_at_once_as_on_its_public_profile(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    smtp_services.community.accounts.create_user("ada", "ada@example.org", PASSWORD)
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        assert client.get("/u/ada").status_code == 200  # public anyway
        response = _sign_up(client, "Ada", "someone@example.org")
    assert response.status_code == 409
    assert "is taken" in response.text
    assert smtp.inbox.attempts == 0
    assert _user_rows(smtp_services) == [("ada", "ada@example.org")]


def test_with_smtp_down_a_registered_and_a_new_address_get_the_same_answer(
    tmp_path: Path, database_url: str
) -> None:
    """Mail that fails after the response can't tell either: before, the registered address
    answered 409 and a new one 502 (or 500) when the server was away."""
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),  # nothing listens here
        smtp_security="none",
        smtp_max_attempts=1,
        mail_from="papers@example.org",
        **{**CHEAP_ARGON2, **OFFLINE_ARXIV},
    )
    services = bootstrap(settings, clock=FakeClock())
    try:
        services.upgrade_schema()
        services.community.accounts.create_user("ada", "ada@example.org", PASSWORD)
        with TestClient(create_app(services)) as client:
            taken = _sign_up(client, "mallory", "ada@example.org")
            new = _sign_up(client, "bob", "bob@example.org")
        assert (taken.status_code, new.status_code) == (200, 200)
        assert taken.text.replace("ada@", "bob@") == new.text
        assert _user_rows(services) == [("ada", "ada@example.org")]  # no half-made account
    finally:
        services.close()
