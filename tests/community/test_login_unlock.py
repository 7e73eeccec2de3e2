"""A login lockout its owner can lift with an emailed link (issue 14, finding 8).

Through the real app and a real SMTP server, on SQLite and PostgreSQL: after too many wrong
passwords the account is locked even for the right one; its owner asks for a link (the
same answer for any name, locked or not, and no mail unless the account is locked), and the
link, used once through a button, lets the owner log in again. Other locked accounts stay
locked, and asking is rate-limited like every action that sends mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.community.conftest import (
    CHEAP_ARGON2,
    OFFLINE_ARXIV,
    PASSWORD,
    FakeClock,
    csrf_from,
    log_in,
)
from tests.mail_support import SmtpServer, smtp  # noqa: F401

SITE = "https://papers.example.org"
_LINK = re.compile(re.escape(SITE) + r"/unlock-login/(\S+)")


def _services(tmp_path: Path, database_url: str, smtp: SmtpServer, **settings) -> Services:  # noqa: F811
    options = {**CHEAP_ARGON2, **OFFLINE_ARXIV, **smtp.settings(), **settings}
    services = bootstrap(
        Settings(data_dir=tmp_path, database_url=database_url, **options), clock=FakeClock()
    )
    services.upgrade_schema()
    return services


@pytest.fixture
def smtp_services(
    tmp_path: Path,
    database_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> Iterator[Services]:
    services = _services(tmp_path, database_url, smtp, login_max_attempts_per_account=3)
    for name in ["ada", "bob", "cy"]:
        services.community.accounts.create_user(name, f"{name}@example.org", PASSWORD)
    yield services
    services.close()


def _lock(client: TestClient, login: str) -> None:
    for _ in range(4):
        assert log_in(client, login, password="wrong password!").status_code in (401, 429)
    assert log_in(client, login).status_code == 429  # the right password too


def _ask(client: TestClient, login: str):
    token = csrf_from(client, "/unlock-login")
    return client.post("/unlock-login", data={"login": login, "csrf_token": token})


def _use(client: TestClient, raw: str):
    token = csrf_from(client, f"/unlock-login/{raw}")
    return client.post(f"/unlock-login/{raw}", data={"csrf_token": token})


def test_the_owner_of_a_locked_account_unlocks_it_with_a_mailed_link_once(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        _lock(client, "ada")
        _lock(client, "bob")
        refused = log_in(client, "ada")
        assert refused.status_code == 429
        assert "/unlock-login?login=ada" in refused.text  # the way out is offered

        assert _ask(client, "ada@example.org").status_code == 200
        [received] = smtp.inbox.wait_for(1)
        assert received.rcpt_tos == ["ada@example.org"]
        text = received.message.get_body(("plain",)).get_content()
        found = _LINK.search(text)
        assert found, text
        raw = found.group(1)

        page = client.get(f"/unlock-login/{raw}")  # opening the link changes nothing
        assert page.status_code == 200 and "Unlock logging in</button>" in page.text
        assert log_in(client, "ada").status_code == 429

        done = _use(client, raw)
        assert done.status_code == 200 and "Logging in to ada works again" in done.text
        assert log_in(client, "ada").status_code == 303
        assert _use(client, raw).status_code == 400  # once only
        assert log_in(client, "bob").status_code == 429  # that account only


def test_asking_answers_alike_and_mails_only_a_locked_account(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        _lock(client, "bob")
        answers = {name: _ask(client, name) for name in ["nobody", "ada", "bob"]}
    assert {name: r.status_code for name, r in answers.items()} == {
        "nobody": 200,
        "ada": 200,
        "bob": 200,
    }
    assert answers["nobody"].text == answers["ada"].text == answers["bob"].text
    [received] = smtp.inbox.wait_for(1)
    assert received.rcpt_tos == ["bob@example.org"]
    assert smtp.inbox.attempts == 1


def test_asking_for_unlock_links_is_rate_limited_per_client_and_per_address(
    tmp_path: Path,
    database_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    services = _services(
        tmp_path,
        database_url,
        smtp,
        login_max_attempts_per_account=3,
        mail_sends_per_ip_per_hour=4,
        mail_sends_per_address_per_hour=2,
    )
    try:
        services.community.accounts.create_user("ada", "ada@example.org", PASSWORD)
        with TestClient(create_app(services), base_url=SITE) as client:
            _lock(client, "ada")
            statuses = [_ask(client, "ada").status_code for _ in range(6)]
        assert statuses == [200] * 4 + [429] * 2
        smtp.inbox.wait_for(2)
        assert [m.rcpt_tos for m in smtp.inbox.messages] == [["ada@example.org"]] * 2
    finally:
        services.close()
