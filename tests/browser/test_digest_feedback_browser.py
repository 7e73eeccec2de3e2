"""A 👎 link from a digest mail in chromium (issue 12): a reader who upvoted three papers
gets a digest with a "For you" section from the real aiosmtpd, opens the 👎 link of its
first paper in a browser that is not logged in (a mail client's), sees a confirmation page
(the GET changed nothing), presses the button, and the paper is gone from For you."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from dailypapers.domain.digests import DigestPrefs
from tests.browser.conftest import DESKTOP, NewPage, Shot, Site
from tests.browser.test_journeys import _main, _sign_up, _vote_button
from tests.digest_support import LONG_AGO

SLOT = datetime(2026, 8, 21, 9, tzinfo=UTC)


def test_a_digest_not_interested_link_takes_the_paper_off_for_you(
    new_page: NewPage, site: Site, shot: Shot
) -> None:
    services = site.services
    ids = [a for a, _, _ in services.papers.listing_candidates(date(2026, 6, 1), date(2026, 8, 14))]
    papers = services.papers.get_many(ids)
    robots = sorted(a for a, p in papers.items() if "robot" in p.title.lower())[3:6]
    page = new_page(viewport=DESKTOP)
    page.goto("/")
    _, email = _sign_up(page, site, shot)
    for arxiv_id in robots:
        page.goto(f"/papers/{arxiv_id}")
        _vote_button(page).click()
        expect(_vote_button(page)).to_have_attribute("aria-pressed", "true")
    services.subscriptions.store.insert_active([email], DigestPrefs(), now=LONG_AGO)
    assert services.digests.send_due(SLOT).sent >= 1

    link = site.mail_link(email, "/digest/feedback/down/", count=2)  # after the verification
    [paper] = parse_qs(urlsplit(link).query)["paper"]
    title = services.papers.get(paper).title
    page.goto("/for-you")
    expect(_main(page).locator(f'.recommendation[data-id="{paper}"]')).to_have_count(1)

    mail_client = new_page(viewport=DESKTOP)  # not logged in: the link alone is enough
    mail_client.goto(link)
    expect(mail_client.get_by_role("heading", level=1)).to_contain_text("Not interested")
    expect(mail_client.get_by_role("link", name=title)).to_be_visible()
    shot(mail_client, "feedback-link")
    page.reload()  # opening the link changed nothing
    expect(_main(page).locator(f'.recommendation[data-id="{paper}"]')).to_have_count(1)

    mail_client.get_by_role("button", name="Yes, not interested").click()
    expect(mail_client.get_by_role("status")).to_contain_text("Recorded")
    shot(mail_client, "feedback-recorded")

    page.reload()
    expect(_main(page).locator(".recommendation").first).to_be_visible()
    expect(_main(page).locator(f'.recommendation[data-id="{paper}"]')).to_have_count(0)

    mail_client.goto(link)  # a second visit: already recorded, no button
    expect(mail_client.get_by_role("status")).to_contain_text("already recorded")
    expect(mail_client.get_by_role("button", name="Yes, not interested")).to_have_count(0)
