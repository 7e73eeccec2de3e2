"""For you in the digest, and its 👍/👎 links, on real demo papers, real SQLite and
PostgreSQL and a real SMTP server (aiosmtpd).

A subscriber whose address is a verified account with a history gets a "For you" section
ranked by the recommendations service; no paper comes twice, across digests or between
sections; a cold-start reader gets no such section. Each For-you paper carries a 👍 and a 👎
link that work without logging in, once, and only as mailed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.domain.community import User
from dailypapers.domain.digests import DigestPrefs, FeedbackLink
from dailypapers.services.bootstrap import Services
from dailypapers.services.feedback_links import EXPIRED, INVALID, OTHER_ACCOUNT
from dailypapers.services.tokens import hash_token
from tests.conftest import FIXED_NOW, NewDatabase, make_services
from tests.databases import demo_at
from tests.digest_support import LONG_AGO
from tests.mail_support import SmtpServer, smtp  # noqa: F401

CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
PASSWORD = "correct horse battery"
DAY1 = datetime(2026, 8, 20, 9, tzinfo=UTC)
DAY2 = datetime(2026, 8, 21, 9, tzinfo=UTC)
SITE = "https://papers.example.org"
PAPER_LINK = re.compile(re.escape(SITE) + r"/papers/(\S+)")
FEEDBACK_LINK = re.compile(re.escape(SITE) + r"(/digest/feedback/(up|down)/[^\s?]+\?paper=\S+)")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def demo(
    tmp_path: Path,
    new_database: NewDatabase,
    smtp: SmtpServer,  # noqa: F811
) -> Iterator[Services]:
    """The demo papers and their vectors (a copy of the session's demo template)."""
    services = make_services(
        tmp_path,
        new_database(demo_at(FIXED_NOW)),
        **smtp.settings(digest_section_items=3),
        **CHEAP_ARGON2,
    )
    yield services
    services.close()


def _reader(services: Services, name: str, *, likes: str | None = None) -> User:
    """A verified account `name@example.org`, subscribed to the daily digest (trending), that
    upvoted three papers with `likes` in their title from before the digest's days."""
    user = services.community.accounts.create_user(
        name, f"{name}@example.org", PASSWORD, verified=True
    )
    services.subscriptions.store.insert_active([user.email], DigestPrefs(), now=LONG_AGO)
    if likes:
        days = (date(2026, 6, 1), date(2026, 8, 1))
        ids = [a for a, _, _ in services.papers.listing_candidates(*days)]
        papers = services.papers.get_many(ids)
        liked = sorted(a for a, p in papers.items() if likes in p.title.lower())
        for arxiv_id in liked[:3]:
            services.community.votes.set_vote(user, arxiv_id, True)
    return user


def _text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def _sections(message: EmailMessage) -> dict[str, list[str]]:
    """The papers of each section of a digest mail, in order."""
    found: dict[str, list[str]] = {}
    current = None
    for line in _text(message).splitlines():
        if line.isupper() and line.strip() and not line.startswith(" "):
            current = line.strip()
            found[current] = []
        elif current and (match := PAPER_LINK.search(line)) and "Paper:" in line:
            found[current].append(match.group(1))
    return found


def _links(message: EmailMessage) -> list[tuple[str, str, str]]:
    """(path, verdict, paper) of every 👍/👎 link in the mail."""
    return [
        (path, verdict, path.rsplit("paper=", 1)[1])
        for path, verdict in FEEDBACK_LINK.findall(_text(message))
    ]


def test_a_reader_gets_for_you_first_and_never_a_paper_twice(
    demo: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    ada = _reader(demo, "ada", likes="robot")
    cold = _reader(demo, "cyd")  # an account without history
    demo.subscriptions.store.insert_active(["anon@example.org"], DigestPrefs(), now=LONG_AGO)

    assert demo.digests.send_due(DAY1).sent == 3
    assert demo.digests.send_due(DAY2).sent == 3
    day1, day2 = (_sections(m) for m in smtp.inbox.to(ada.email))
    assert list(day1) == ["FOR YOU", "TRENDING"] and next(iter(day2)) == "FOR YOU"
    assert len(day1["FOR YOU"]) == 3
    first = _text(smtp.inbox.to(ada.email)[0])
    assert first.count("Why it's here: Because you upvoted") >= 1
    everything = [p for s in (day1, day2) for papers in s.values() for p in papers]
    assert len(everything) == len(set(everything)), "a paper came twice"
    # For you ranks what the reader likes: the recommended papers are not just trending ones.
    trending = demo.digests.preview(None, manage_url="", unsubscribe_url="", now=DAY1)
    assert day1["FOR YOU"] != [i["id"] for i in trending["items"]][:3]

    for address in (cold.email, "anon@example.org"):
        mails = smtp.inbox.to(address)
        assert len(mails) == 2
        for mail in mails:
            assert list(_sections(mail)) == ["TRENDING"] and not _links(mail)


def _login(client: TestClient, username: str) -> None:
    token = _CSRF.search(client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"login": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_a_mailed_link_works_once_and_only_as_mailed(
    demo: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    ada = _reader(demo, "ada", likes="robot")
    _reader(demo, "bob", likes="video")
    assert demo.digests.send_due(DAY1).sent == 2
    [mail] = smtp.inbox.to(ada.email)
    links = _links(mail)
    assert len(links) == 6  # a 👍 and a 👎 for each of the 3 For-you papers
    (up, _, paper), (down, _, same) = links[0], links[1]
    assert (links[0][1], links[1][1]) == ("up", "down") and paper == same
    other_paper = links[2][2]
    feedback = demo.recommendations.feedback

    with TestClient(create_app(demo), base_url=SITE) as browser:
        # A GET (a mail scanner, a preview) shows the button and changes nothing.
        page = browser.get(down)
        assert page.status_code == 200 and "Yes, not interested" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert feedback(ada) == {}

        # Forged or bent links are refused with a page that says so.
        token = urlsplit(down).path.rsplit("/", 1)[1]
        bent = [
            down.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),  # tampered
            up.replace("/up/", "/down/"),  # the 👍 token used as 👎
            down.replace(f"paper={paper}", f"paper={other_paper}"),  # for another paper
            down.replace("/down/", "/sideways/"),
        ]
        for path in bent:
            refused = browser.post(path)
            assert refused.status_code == 404, path
            assert INVALID.split(":")[0] in refused.text
        assert feedback(ada) == {}

        # No login needed, no CSRF token: the POST records 👎 once.
        done = browser.post(down)
        assert done.status_code == 200 and "Recorded" in done.text
        assert feedback(ada) == {paper: -1}
        assert paper not in [r.paper.arxiv_id for r in demo.recommendations.recommend(ada).items]

        # A replay says so and changes nothing, even after the reader changed their mind.
        demo.recommendations.set_feedback(ada, paper, None)
        again = browser.post(down, headers={"accept": "application/json"})
        assert again.status_code == 200 and again.json()["status"] == "already_recorded"
        assert feedback(ada) == {}
        assert "already recorded" in browser.get(down).text

        # The other button is another link: it works once too.
        assert browser.post(up).status_code == 200
        assert feedback(ada) == {paper: 1}

    # Ada's link, opened by Bob while logged in, acts for no one.
    other = links[3][0]
    with TestClient(create_app(demo), base_url=SITE) as bobs_browser:
        _login(bobs_browser, "bob")
        refused = bobs_browser.post(other)
        assert refused.status_code == 403 and OTHER_ACCOUNT.split(",")[0] in refused.text
        assert bobs_browser.get(other).status_code == 403
    assert feedback(ada) == {paper: 1}


def test_an_expired_link_is_refused_then_dropped_by_the_next_digest(
    demo: Services,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    ada = _reader(demo, "ada", likes="robot")
    paper = demo.papers.listing_candidates(date(2026, 8, 20), date(2026, 8, 20))[0][0]
    raw = "e" * 43
    now = datetime.now(UTC)
    store = demo.feedback_links.store
    store.add(
        [FeedbackLink(hash_token(raw), ada.id, paper, -1, now - timedelta(seconds=1))],
        now=now - timedelta(days=30),
    )
    with TestClient(create_app(demo), base_url=SITE) as browser:
        for answer in (browser.get, browser.post):
            response = answer(f"/digest/feedback/down/{raw}?paper={paper}")
            assert response.status_code == 404 and EXPIRED.split(":")[0][:20] in response.text
    assert demo.recommendations.feedback(ada) == {}
    assert store.get(hash_token(raw)) is not None

    assert demo.digests.send_due(DAY1).sent == 1
    assert store.get(hash_token(raw)) is None  # the reader's new links replaced it
    [mail] = smtp.inbox.to(ada.email)
    path = _links(mail)[0][0]
    token = urlsplit(path).path.rsplit("/", 1)[1]
    assert store.get(hash_token(token)) is not None
