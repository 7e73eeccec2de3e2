"""One name per meaning (issue 10 item 9): "Trending" is the page of the last days; the
order a period page offers by decayed upvotes is "Hot", not a second "Trending"."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_the_hot_order_is_not_called_trending(page: Page) -> None:
    page.goto("/week")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Trending", exact=True)).to_have_count(0)
    main.get_by_role("link", name="Hot", exact=True).click()
    page.wait_for_url("**sort=trending*")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trending").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trending papers")
