"""The digest preview in chromium (issue 10 item 9): the mail shown as a page has a way back
to the site."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_the_digest_preview_links_back_to_the_site(page: Page) -> None:
    page.goto("/digest/preview")
    bar = page.get_by_role("navigation", name="Preview")
    expect(bar).to_contain_text("This is a preview of the digest mail.")
    bar.get_by_role("link", name="Back to").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Papers of")
