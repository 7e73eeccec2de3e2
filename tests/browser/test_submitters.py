"""Submitters from imported data (issue 10 item 7), in chromium: "submitted by @x" is a link,
and `/u/x` for a name with no account here lists what x submitted, marked as not an account."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_submitted_by_leads_to_the_submitters_page(page: Page) -> None:
    page.goto("/")
    card = page.get_by_role("main").get_by_role("article").first
    link = card.locator(".submitter").get_by_role("link")
    name = link.inner_text().removeprefix("@")
    title = card.get_by_role("heading").inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"@{name}")
    expect(page.get_by_text("Not an account on this site")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_role("heading", name="Upvoted papers")).to_have_count(0)


def test_an_unknown_name_is_still_not_found(page: Page) -> None:
    response = page.goto("/u/nobody-submitted-anything")
    assert response is not None and response.status == 404
