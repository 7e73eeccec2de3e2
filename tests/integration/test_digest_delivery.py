"""Digest delivery on real SQLite and PostgreSQL, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dailypapers.domain.digests import DigestPrefs
from dailypapers.services.bootstrap import Services
from tests.conftest import make_services
from tests.digest_support import featured, seed, subscribers
from tests.mail_support import SmtpServer, free_port, smtp  # noqa: F401

DAY1 = datetime(2026, 8, 20, 9, tzinfo=UTC)
DAY2 = datetime(2026, 8, 21, 9, tzinfo=UTC)
PAPER_LINK = re.compile(r"https://papers\.example\.org/papers/(\S+)")


@pytest.fixture
def digest_services(
    tmp_path: Path,
    database_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> Iterator[Services]:
    services = make_services(
        tmp_path,
        database_url,
        **smtp.settings(
            digest_section_items=3,
            smtp_retry_backoff_s=0.05,
            digest_max_bounces=2,
            digest_lease_s=0.3,
        ),
    )
    yield services
    services.close()


def papers_in(message) -> list[str]:
    text = message.get_body(("plain",)).get_content()
    return list(dict.fromkeys(PAPER_LINK.findall(text)))


def test_the_next_digest_omits_papers_already_sent(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(
        digest_services,
        [featured(f"2608.0000{n}", date(2026, 8, 20), 50 - n) for n in range(1, 6)]
        + [featured("2608.00009", date(2026, 8, 21), 30, categories=("cs.CL", "cs.LG"))],
    )
    [email] = subscribers(digest_services, 1)  # trending only, 3 papers a section

    first = digest_services.digests.send_due(DAY1)
    second = digest_services.digests.send_due(DAY2)

    assert (first.sent, second.sent) == (1, 1)
    day1, day2 = (papers_in(m) for m in smtp.inbox.to(email))
    assert day1 == ["2608.00001", "2608.00002", "2608.00003"]
    # Still trending on day 2, but already sent: the next ones come instead.
    assert day2 == ["2608.00009", "2608.00004", "2608.00005"]
    # A third digest the same day is the same period: nothing more is sent.
    assert digest_services.digests.send_due(DAY2).sent == 0
    assert len(smtp.inbox.to(email)) == 2


def test_a_cross_listed_paper_comes_once_with_every_reason(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(
        digest_services,
        [
            featured("2608.00001", date(2026, 8, 20), 9, categories=("cs.LG",)),
            featured("2608.00009", date(2026, 8, 21), 3, categories=("cs.CL", "cs.LG")),
        ],
    )
    prefs = DigestPrefs(include_trending=False, categories=("cs.CL", "cs.LG"))
    [email] = subscribers(digest_services, 1, prefs)

    digest_services.digests.send_due(DAY1)
    digest_services.digests.send_due(DAY2)

    day1, day2 = smtp.inbox.to(email)
    assert papers_in(day1) == ["2608.00001"]  # 2608.00009 was not out yet on day 1
    assert papers_in(day2) == ["2608.00009"]
    assert "new in cs.CL; new in cs.LG" in day2.get_body(("plain",)).get_content()


def test_a_temporary_failure_is_retried_and_sent_once(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    [email] = subscribers(digest_services, 1)
    smtp.inbox.data_replies = ["451 4.3.0 try again later"]

    report = digest_services.digests.send_due(DAY1, wait=True)

    assert (report.retried, report.sent) == (1, 1)
    assert smtp.inbox.attempts == 2
    assert len(smtp.inbox.to(email)) == 1
    assert digest_services.digests.status()["deliveries"] == {"sent": 1}


def test_a_permanent_failure_is_recorded_never_retried_and_bounces_suspend(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured(f"2608.0000{n}", date(2026, 8, 20), 5) for n in (1, 2)])
    [bouncing, _fine] = subscribers(digest_services, 2)
    smtp.inbox.refuse = {bouncing}

    first = digest_services.digests.send_due(DAY1, wait=True)
    again = digest_services.digests.send_due(DAY1, wait=True)

    assert (first.failed, first.sent, again.failed, again.sent) == (1, 1, 0, 0)
    assert smtp.inbox.rcpt_attempts == 2  # one each; no retry storm
    assert digest_services.digests.status("2026-08-20")["deliveries"] == {"failed": 1, "sent": 1}

    second = digest_services.digests.send_due(DAY2, wait=True)
    assert (second.failed, second.suspended) == (1, 1)  # digest_max_bounces = 2
    assert digest_services.digests.status()["subscriptions"] == {"active": 1, "suspended": 1}
    third = digest_services.digests.send_due(datetime(2026, 8, 22, 9, tzinfo=UTC), wait=True)
    assert (third.planned, third.skipped) == (1, 1)  # the working address; nothing new
    assert smtp.inbox.rcpt_attempts == 3
    [last, _] = digest_services.digests.deliveries.for_subscription(1)
    assert last["state"] == "failed" and "550" in last["last_error"]


def test_a_rejected_message_is_not_sent_again(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    subscribers(digest_services, 1)
    smtp.inbox.data_replies = ["550 5.7.1 message rejected"]

    for _ in range(3):
        digest_services.digests.send_due(DAY1, wait=True)

    assert smtp.inbox.attempts == 1
    assert smtp.inbox.messages == []
    # Its papers were not recorded as sent: the next digest may carry them.
    assert digest_services.digests.send_due(DAY2).sent == 1
    assert papers_in(smtp.inbox.messages[0].message) == ["2608.00001"]


def test_weekly_subscribers_get_one_digest_a_week(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 17), 5)])
    [email] = subscribers(digest_services, 1, DigestPrefs(frequency="weekly", send_weekday=0))
    monday, wednesday = (datetime(2026, 8, d, 10, tzinfo=UTC) for d in (17, 19))

    assert digest_services.digests.send_due(monday).sent == 1
    assert digest_services.digests.send_due(wednesday).sent == 0
    [message] = smtp.inbox.to(email)
    assert "2026-W34" in message["Message-ID"]


def test_a_digest_planned_before_unsubscribing_is_cancelled(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    subscribers(digest_services, 1)
    assert digest_services.digests.plan_due(DAY1) == 1
    digest_services.subscriptions.store.unsubscribe(1, now=DAY1)

    report = digest_services.digests.send_due(DAY1)

    assert report.sent == 0
    assert smtp.inbox.messages == []
    assert digest_services.digests.status()["deliveries"] == {"cancelled": 1}


def test_a_claim_taken_over_after_its_lease_is_no_longer_the_first_claimers(
    digest_services: Services,
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    subscribers(digest_services, 1)
    deliveries = digest_services.digests.deliveries
    digest_services.digests.plan_due(DAY1)
    now = datetime.now(UTC)
    [mine] = deliveries.claim("a", now=now, lease_s=0.2, limit=5)
    assert deliveries.claim("b", now=now, lease_s=0.2, limit=5) == []  # lease still live
    later = now + timedelta(seconds=0.3)  # past a's lease
    [theirs] = deliveries.claim("b", now=later, lease_s=60, limit=5)

    assert theirs.id == mine.id
    result = deliveries.mark_sending(
        mine,
        "a",
        now=later,
        lease_s=60,
        items=[("2608.00001", "trending")],
        token_hashes=[],
    )
    assert result == "lost"
    assert deliveries.mark_sent(mine.id, "a", reply="250", now=later) is False


def test_a_sender_that_died_mid_send_leaves_an_uncertain_digest_that_is_not_resent(
    digest_services: Services,
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    subscribers(digest_services, 1)
    deliveries = digest_services.digests.deliveries
    digest_services.digests.plan_due(DAY1)
    now = datetime.now(UTC)
    [claimed] = deliveries.claim("dead", now=now, lease_s=0.1, limit=5)
    assert (
        deliveries.mark_sending(
            claimed,
            "dead",
            now=now,
            lease_s=0.1,
            items=[("2608.00001", "trending")],
            token_hashes=[],
        )
        == "ok"
    )
    later = now + timedelta(seconds=0.2)  # ... and the process died before recording the reply

    assert deliveries.claim("next", now=later, lease_s=60, limit=5) == []
    assert deliveries.counts() == {"uncertain": 1}
    assert deliveries.sent_ids(1, ["2608.00001"]) == {"2608.00001"}  # never repeated


def test_at_least_once_mode_resends_an_uncertain_digest_with_the_same_message_id(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    subscribers(digest_services, 1)
    deliveries = digest_services.digests.deliveries
    digest_services.digests.plan_due(DAY1)
    now = datetime.now(UTC)
    [claimed] = deliveries.claim("dead", now=now, lease_s=0.1, limit=5)
    deliveries.mark_sending(claimed, "dead", now=now, lease_s=0.1, items=[], token_hashes=[])
    later = now + timedelta(seconds=0.2)  # past the dead sender's lease

    [again] = deliveries.claim("next", now=later, lease_s=60, limit=5, resend_uncertain=True)

    assert (again.id, again.message_id, again.resending) == (claimed.id, claimed.message_id, True)


def test_a_stop_request_ends_the_run_between_messages_and_the_next_run_finishes(
    digest_services: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    seed(digest_services, [featured("2608.00001", date(2026, 8, 20), 5)])
    subscribers(digest_services, 3)
    stop = threading.Event()

    def progress(report) -> None:
        if report.sent == 1:
            stop.set()

    first = digest_services.digests.send_due(DAY1, progress=progress, stop=stop)
    second = digest_services.digests.send_due(DAY1)

    assert (first.sent, second.sent) == (1, 2)
    assert len(smtp.inbox.messages) == 3


def test_an_unreachable_mail_server_stops_the_run_and_loses_nothing(
    tmp_path: Path,
    database_url: str,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    down = make_services(
        tmp_path, database_url, **smtp.settings(smtp_port=free_port(), smtp_timeout_s=2)
    )
    try:
        seed(down, [featured("2608.00001", date(2026, 8, 20), 5)])
        subscribers(down, 3)
        report = down.digests.send_due(DAY1)
        assert report.stopped and "connecting to" in report.stopped
        assert (report.sent, report.retried, report.failed) == (0, 1, 0)
        assert down.digests.status()["deliveries"] == {"pending": 3}  # all sent later
    finally:
        down.close()
