"""For you in chromium (issue 12): a reader upvotes three papers, opens For you, sees reasons
naming those papers, presses 👎 on a recommendation and sees it leave without a page load."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, NewPage, Shot, Site
from tests.browser.test_journeys import _main, _sign_up, _vote_button


def test_a_reader_upvotes_then_dismisses_a_recommendation(
    new_page: NewPage, site: Site, shot: Shot
) -> None:
    services = site.services
    ids = [a for a, _, _ in services.papers.listing_candidates(date(2026, 6, 1), date(2026, 8, 14))]
    papers = services.papers.get_many(ids)
    robots = sorted(a for a, p in papers.items() if "robot" in p.title.lower())[:3]
    page = new_page(viewport=DESKTOP)
    page.goto("/")
    _sign_up(page, site, shot)
    for arxiv_id in robots:
        page.goto(f"/papers/{arxiv_id}")
        _vote_button(page).click()
        expect(_vote_button(page)).to_have_attribute("aria-pressed", "true")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="For you").click()
    expect(page.get_by_role("heading", level=1, name="For you")).to_be_visible()
    cards = _main(page).locator(".recommendation")
    first = cards.first
    expect(first.locator(".why")).to_contain_text("Because you upvoted")
    titles = [papers[a].title for a in robots]
    why = first.locator(".why").inner_text()
    assert any(t in why for t in titles), why
    shot(page, "for-you")

    dismissed = first.get_attribute("data-id")
    page.evaluate("window.__no_reload = true")
    first.get_by_role("button", name="Not interested").click()
    expect(_main(page).locator(f'.recommendation[data-id="{dismissed}"]')).to_have_count(0)
    expect(cards.first).to_have_attribute("data-id", re.compile(r"\d"))
    assert page.evaluate("window.__no_reload === true"), "👎 reloaded the page"
    page.reload()
    expect(_main(page).locator(f'.recommendation[data-id="{dismissed}"]')).to_have_count(0)
    shot(page, "for-you-after")
