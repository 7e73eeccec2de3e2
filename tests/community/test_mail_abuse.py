"""Mail can't be turned against others: one strict address rule, exact recipients, limits.

Through the real app and a real SMTP server (aiosmtpd): hostile sign-up and subscription
addresses are refused before anything is stored or sent, the mailer sends to the stored
address exactly, and every action that sends mail is rate-limited.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.domain.email_addresses import check_email_address, is_email_address
from dailypapers.errors import BadRequest
from dailypapers.mail.mailer import PermanentFailure
from dailypapers.services.bootstrap import Services
from tests.community.conftest import (
    PASSWORD,
    MakeServices,
    RecordingMailer,
    csrf_from,
    log_in,
)
from tests.mail_support import SmtpServer, smtp  # noqa: F401

SITE = "https://papers.example.org"  # smtp.settings()'s base_url: Secure cookies
ENCODED_LIST = "=?utf-8?q?v1=40c.test?=,=?utf-8?q?v2=40c.test?=,me@evil.test"
HOSTILE = [
    ENCODED_LIST,
    "=?utf-8?q?v1=40c.test?=@evil.test",
    "<victim@corp.test>x",
    "victim@corp.test,me@evil.test",
    "victim@corp.test me@evil.test",
    '"victim@corp.test"@evil.test',
    "victim@corp.test (me@evil.test)",
    "Me <me@evil.test>",
    "me@evil.test\r\nBcc: victim@corp.test",
    "me@evil.test\nvictim@corp.test",
    "me@évil.test",
    ".me@evil.test",
    "me..x@evil.test",
    "me@evil",
    "x" * 65 + "@evil.test",
]


def _subscribe(client: TestClient, address: str):
    return client.post(
        "/subscribe",
        data={
            "email": address,
            "frequency": "daily",
            "trending": "on",
            "csrf_token": csrf_from(client, "/subscribe"),
        },
    )


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


@pytest.mark.parametrize("address", HOSTILE)
def test_the_one_rule_refuses_addresses_that_name_other_recipients(address: str) -> None:
    assert not is_email_address(address)
    with pytest.raises(BadRequest):
        check_email_address(address)


def test_plain_addresses_pass_the_rule_as_typed() -> None:
    for address in ["me@evil.test", "First.Last+tag@Sub.Example.org", "o'neil@x-y.example"]:
        assert check_email_address(f"  {address} ") == address


def test_hostile_sign_up_addresses_reach_nobody_and_a_plain_one_reaches_only_itself(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        for number, address in enumerate(HOSTILE):
            response = _sign_up(client, f"attacker{number}", address)
            assert response.status_code == 400, (address, response.status_code)
            assert smtp_services.community.accounts.users.by_username(f"attacker{number}") is None
        assert smtp.inbox.rcpt_attempts == 0
        assert _sign_up(client, "me", "me@evil.test").status_code == 200
    [received] = smtp.inbox.wait_for(1)
    assert received.rcpt_tos == ["me@evil.test"]
    assert smtp.inbox.rcpt_attempts == 1


def test_hostile_subscription_addresses_reach_nobody(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        for address in HOSTILE:
            response = _subscribe(client, address)
            assert response.status_code == 400, (address, response.status_code)
    assert smtp.inbox.rcpt_attempts == 0


def test_the_mailer_sends_to_the_to_header_exactly_or_not_at_all(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    """Should a hostile address ever be stored, the envelope still never widens."""
    for to in [ENCODED_LIST, "<victim@corp.test>x", "victim@corp.test, me@evil.test"]:
        message = EmailMessage()
        message["From"] = "papers@example.org"
        message["To"] = to
        message["Subject"] = "hello"
        message.set_content("hello")
        with pytest.raises(PermanentFailure, match="not one plain email address"):
            smtp_services.mailer.send(message)
    assert smtp.inbox.rcpt_attempts == 0


# --- every action that sends mail is rate-limited ---------------------------------------------


def test_verification_resends_stop_at_the_per_address_limit(
    make_services: MakeServices, database_url: str, mailer: RecordingMailer
) -> None:
    services = make_services(database_url, mailer=mailer, mail_sends_per_address_per_hour=3)
    with TestClient(create_app(services)) as client:
        assert _sign_up(client, "ada", "ada@example.org").status_code == 200
        assert log_in(client, "ada").status_code == 303
        statuses = [
            client.post(
                "/settings/verify",
                data={"csrf_token": csrf_from(client, "/settings")},
                follow_redirects=False,
            ).status_code
            for _ in range(20)
        ]
    assert statuses == [303, 303] + [429] * 18
    assert len(mailer.sent) == 3  # the sign-up's, then two resends


RESET_ASKS = ["x1@", "ada@", "x2@", "x3@", "ada@", "x4@"]


def test_password_reset_mail_is_limited_per_client_for_known_and_unknown_addresses(
    make_services: MakeServices, database_url: str, mailer: RecordingMailer
) -> None:
    services = make_services(database_url, mailer=mailer, mail_sends_per_ip_per_hour=4)
    services.community.accounts.create_user("ada", "ada@example.org", PASSWORD)
    with TestClient(create_app(services)) as client:
        statuses = [
            client.post(
                "/forgot-password",
                data={
                    "email": email + "example.org",
                    "csrf_token": csrf_from(client, "/forgot-password"),
                },
            ).status_code
            for email in RESET_ASKS
        ]
    assert statuses == [200] * 4 + [429] * 2
    assert len(mailer.sent) == 1


def test_subscription_mail_is_limited_per_client(
    make_services: MakeServices,
    database_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    services = make_services(database_url, **smtp.settings(mail_sends_per_ip_per_hour=3))
    with TestClient(create_app(services), base_url=SITE) as client:
        statuses = [_subscribe(client, f"reader{n}@example.org").status_code for n in range(6)]
    assert statuses == [200] * 3 + [429] * 3
    assert len(smtp.inbox.wait_for(3)) == 3


def test_sign_up_whose_mail_fails_answers_as_any_other_leaves_no_account_and_can_be_retried(
    smtp_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    """The mail goes after the response (a 502 here would tell which addresses have an
    account, whose "someone tried" mail fails alike), so the failure can't be shown; but no
    half-made account stays behind to make the retry say "taken"."""
    smtp.inbox.refuse.add("ada@example.org")
    with TestClient(create_app(smtp_services), base_url=SITE) as client:
        failed = _sign_up(client, "ada", "ada@example.org")
        assert failed.status_code == 200 and "Check your mail" in failed.text
        assert smtp_services.community.accounts.users.by_username("ada") is None
        smtp.inbox.refuse.clear()
        assert _sign_up(client, "ada", "ada@example.org").status_code == 200
    [received] = smtp.inbox.wait_for(1)
    assert received.rcpt_tos == ["ada@example.org"]
    assert smtp_services.community.accounts.users.by_username("ada") is not None
