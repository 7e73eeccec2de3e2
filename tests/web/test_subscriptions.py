"""Subscribing, confirming, receiving and unsubscribing, through the in-process app and a real
SMTP server (aiosmtpd): the whole journey a reader takes, mail parsed as a client would."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from httpx import Response

from dailypapers.domain.digests import DigestPrefs
from dailypapers.services.tokens import hash_token
from tests.digest_support import LONG_AGO, featured, seed
from tests.mail_support import SmtpServer, smtp  # noqa: F401
from tests.web.conftest import MakeClient
from tests.web.support import hf_row, write_jsonl

BASE = "https://papers.example.org"
FORM = {
    "email": "Reader@Example.org",
    "frequency": "daily",
    "hour": "8",
    "trending": "on",
    "query": ["sparse attention", ""],
    "min_score": ["0.5", ""],
    "categories": "cs.LG",
}


def _papers(tmp_path: Path) -> Path:
    rows = [
        hf_row(
            f"2608.0000{n}",
            "2026-08-21",
            upvotes=10 * n,
            title=f"Paper {n}: sparse attention for long contexts" if n == 1 else f"Paper {n}",
            abstract=f"Paper {n} shows that sparse attention scales.",
        )
        for n in range(1, 4)
    ]
    return write_jsonl(tmp_path / "papers.jsonl.gz", rows)


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    return parts.path + (f"?{parts.query}" if parts.query else "")


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _subscribe(client: TestClient, data: dict, headers: dict | None = None) -> Response:
    """Post the form as a browser does: with the CSRF token of the page it came from."""
    token = _CSRF.search(client.get("/subscribe").text)
    assert token, "the subscribe form carries a CSRF token"
    return client.post("/subscribe", data={**data, "csrf_token": token[1]}, headers=headers)


def _links(message: EmailMessage) -> list[str]:
    html = message.get_body(("html",)).get_content()
    return re.findall(r'href="([^"]+)"', html)


def test_subscribe_confirm_receive_and_unsubscribe_in_one_click(
    tmp_path: Path,
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    client, services = make_client(_papers(tmp_path), **smtp.settings())
    assert "Get trending papers in your email inbox" in client.get("/subscribe").text

    sent = _subscribe(client, FORM)
    assert sent.status_code == 200 and "Check your inbox" in sent.text
    [confirmation] = [m.message for m in smtp.inbox.wait_for(1)]
    assert confirmation["To"] == "reader@example.org"
    confirm_url = re.search(
        r"https://\S+/subscribe/confirm/\S+", confirmation.get_body(("plain",)).get_content()
    )
    assert confirm_url is not None

    # Double opt-in: nothing goes out before the confirmation is submitted.
    assert services.digests.send_due(datetime(2026, 8, 22, 9, tzinfo=UTC)).planned == 0
    page = client.get(_path(confirm_url.group()))
    assert page.status_code == 200 and "reader@example.org" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    confirmed = client.post(_path(confirm_url.group()), follow_redirects=False)
    assert confirmed.status_code == 303
    manage_page = client.get(confirmed.headers["location"])
    assert "Subscription confirmed" in manage_page.text
    assert client.get(_path(confirm_url.group())).status_code == 404  # single use

    report = services.digests.send_due(datetime(2026, 8, 22, 9, tzinfo=UTC))
    assert report.sent == 1
    digest = smtp.inbox.wait_for(2)[1].message
    assert digest.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in digest.iter_parts()] == ["text/plain", "text/html"]
    assert digest["From"] == "Daily Papers <papers@example.org>"
    assert digest["Date"] and re.fullmatch(  # a random nonce, no subscription row number
        r"<digest\.2026-08-22\.[0-9a-f]{32}@example\.org>", digest["Message-ID"]
    )
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.fullmatch(
        r"<(https://\S+/unsubscribe/[\w-]+)>", digest["List-Unsubscribe"]
    )
    assert unsubscribe_url is not None

    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    assert "1. Paper 3" in text and "#1 in trending" in text
    assert "matches your search “sparse attention”" in text
    assert "<img" not in html and "<link" not in html and "<script" not in html
    assert 'style="' in html  # inline CSS only
    links = _links(digest)
    assert f"{BASE}/papers/2608.00003" in links and "https://arxiv.org/abs/2608.00003" in links
    assert client.get(_path(f"{BASE}/papers/2608.00003")).status_code == 200
    manage = next(u for u in links if "/subscriptions/" in u)
    assert "reader@example.org" in client.get(_path(manage)).text

    # RFC 8058: the mail provider POSTs this body to the List-Unsubscribe URL, no login.
    done = client.post(
        _path(unsubscribe_url.group(1)),
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    later = services.digests.send_due(datetime(2026, 8, 23, 9, tzinfo=UTC))
    assert (later.planned, later.sent) == (0, 0)
    assert len(smtp.inbox.messages) == 2


def test_a_subscribe_post_without_the_pages_csrf_token_is_refused(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    """The subscribe form is a session form: the session's CSRF token is its only check
    (another site can't read the token; where a post comes from is not asked)."""
    client, _ = make_client(**smtp.settings())
    client.get("/subscribe")  # the visitor has a session, as a victim of a forged post would
    forged = client.post("/subscribe", data=FORM, headers={"origin": "https://evil.example"})
    assert forged.status_code == 403
    assert smtp.inbox.messages == []
    accepted = _subscribe(client, FORM, headers={"origin": BASE})
    assert accepted.status_code == 200
    assert len(smtp.inbox.wait_for(1)) == 1


# What Chromium sends when a form is posted from a page served with
# `Referrer-Policy: no-referrer` (as every page under a secret token is): `Origin: null`.
CHROMIUM_FROM_A_NO_REFERRER_PAGE = {"origin": "null"}


def test_token_pages_accept_the_posts_a_real_browser_sends(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    """Confirm, Save and Unsubscribe work from the pages themselves in Chromium: the secret
    token in the URL authorises them (issue 10: they answered 403 to `Origin: null`)."""
    client, services = make_client(**smtp.settings())
    assert _subscribe(client, FORM).status_code == 200
    [confirmation] = [m.message for m in smtp.inbox.wait_for(1)]
    confirm_url = re.search(
        r"https://\S+/subscribe/confirm/\S+", confirmation.get_body(("plain",)).get_content()
    )
    assert confirm_url is not None
    page = client.get(_path(confirm_url.group()))
    assert page.headers["referrer-policy"] == "no-referrer"
    confirmed = client.post(
        _path(confirm_url.group()), headers=CHROMIUM_FROM_A_NO_REFERRER_PAGE, follow_redirects=False
    )
    assert confirmed.status_code == 303, confirmed.text
    manage = confirmed.headers["location"].split("?")[0]

    saved = client.post(
        manage,
        data={**FORM, "frequency": "weekly", "weekday": "2", "action": "save"},
        headers=CHROMIUM_FROM_A_NO_REFERRER_PAGE,
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert services.subscriptions.store.get(1).prefs.frequency == "weekly"

    gone = client.post(
        manage, data={"action": "unsubscribe"}, headers=CHROMIUM_FROM_A_NO_REFERRER_PAGE
    )
    assert gone.status_code == 200 and "unsubscribed" in gone.text.lower()
    assert services.subscriptions.store.get(1).status == "unsubscribed"


def test_one_click_unsubscribe_from_a_mail_provider_needs_no_session(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    client, services = make_client(**smtp.settings())
    services.subscriptions.store.insert_active(["a@example.org"], DigestPrefs(), now=LONG_AGO)
    services.subscriptions.store.add_token(1, hash_token("t" * 43), "unsubscribe", now=LONG_AGO)
    url = "/unsubscribe/" + "t" * 43
    assert "Stop sending digests to a@example.org" in client.get(url).text
    assert client.post("/unsubscribe/" + "u" * 43, content=ONE_CLICK_BODY).status_code == 404
    one_click = client.post(
        url,
        content=ONE_CLICK_BODY,
        headers={
            "origin": "https://mail.example",
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    assert one_click.status_code == 200
    assert services.subscriptions.store.get(1).status == "unsubscribed"
    assert client.post(url, content=ONE_CLICK_BODY).status_code == 200  # again
    # The page's own button, posted from the page (Origin: null in Chromium), works too.
    button = client.post(url, data={}, headers=CHROMIUM_FROM_A_NO_REFERRER_PAGE)
    assert button.status_code == 200


ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def test_subscribing_an_active_address_changes_nothing_and_mails_a_manage_link(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    client, services = make_client(**smtp.settings())
    services.subscriptions.store.insert_active(
        ["reader@example.org"], DigestPrefs(frequency="weekly"), now=LONG_AGO
    )
    answer = _subscribe(client, FORM)
    assert "Check your inbox" in answer.text  # the same answer as for a new address
    [mail] = [m.message for m in smtp.inbox.wait_for(1)]
    assert (
        "already" in mail["Subject"]
        or "already subscribed" in mail.get_body(("plain",)).get_content()
    )
    manage = re.search(r"https://\S+/subscriptions/\S+", mail.get_body(("plain",)).get_content())
    assert manage is not None and client.get(_path(manage.group())).status_code == 200
    assert services.subscriptions.store.get(1).prefs.frequency == "weekly"
    _subscribe(client, FORM)  # again at once: no second mail
    assert len(smtp.inbox.messages) == 1


def test_bad_input_shows_the_form_again_with_the_reason(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    client, _ = make_client(**smtp.settings())
    bad_email = _subscribe(client, {**FORM, "email": "not an address"})
    assert bad_email.status_code == 400 and "not an email address" in bad_email.text
    nothing = _subscribe(client, {"email": "a@example.org", "categories": ""})
    assert nothing.status_code == 400 and "choose something" in nothing.text
    bad_category = _subscribe(client, {**FORM, "categories": "cs.CL <b>"})
    assert bad_category.status_code == 400 and "&lt;b&gt;" in bad_category.text
    assert smtp.inbox.messages == []


def test_manage_page_changes_preferences(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    client, services = make_client(**smtp.settings())
    services.subscriptions.store.insert_active(["a@example.org"], DigestPrefs(), now=LONG_AGO)
    services.subscriptions.store.add_token(1, hash_token("m" * 43), "manage", now=LONG_AGO)
    url = "/subscriptions/" + "m" * 43
    saved = client.post(
        url,
        data={
            "action": "save",
            "frequency": "weekly",
            "hour": "6",
            "weekday": "4",
            "query": "graph neural networks",
            "min_score": "0.3",
            "categories": "cs.LG",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    prefs = services.subscriptions.store.get(1).prefs
    assert (prefs.frequency, prefs.send_hour, prefs.send_weekday) == ("weekly", 6, 4)
    assert not prefs.include_trending and prefs.queries[0].query == "graph neural networks"
    assert (
        client.get(url + "?format=json").json()["prefs"]["schedule"]
        == "weekly, Fridays at 06:00 UTC"
    )
    assert client.get("/subscriptions/" + "x" * 43).status_code == 404


def test_digest_preview_shows_a_sample_or_a_subscribers_next_digest(
    make_client: MakeClient,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    client, services = make_client(**smtp.settings())
    seed(services, [featured("2608.00001", datetime(2026, 8, 21).date(), 5)])
    sample = client.get("/digest/preview")
    assert sample.status_code == 200 and "Paper 2608.00001" in sample.text
    assert "style-src 'unsafe-inline'" in sample.headers["content-security-policy"]
    assert "script-src" not in sample.headers["content-security-policy"]
    assert "1. Paper 2608.00001" in client.get("/digest/preview?part=text").text
    assert client.get("/digest/preview?format=json").json()["count"] == 1
    assert client.get("/digest/preview?token=nope").status_code == 404
    assert smtp.inbox.messages == []  # previews send nothing
