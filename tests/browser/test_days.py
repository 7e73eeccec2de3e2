"""Jumping between days in chromium: a day picker goes to any day, and an empty day links
straight to the nearest days with papers (issue 10, "a calendar or date picker")."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_the_day_picker_goes_to_any_day(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Go to a day").fill("2026-08-20")
    page.get_by_role("button", name="Go", exact=True).click()
    page.wait_for_url("**/date/2026-08-20")
    expect(page.get_by_role("heading", level=1)).to_have_text("Papers of Thursday, 20 August 2026")


def test_an_empty_day_links_to_the_nearest_days_with_papers(page: Page) -> None:
    page.goto("/date/2026-08-15")
    empty = page.locator("p.empty")
    expect(empty).to_contain_text("No papers were featured on this day")
    empty.get_by_role("link").last.click()
    page.wait_for_url("**/date/2026-08-17")
    expect(page.get_by_role("main").get_by_role("article").first).to_be_visible()
