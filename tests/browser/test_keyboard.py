"""The site with the keyboard alone, in chromium: focus is never lost (issue 10 item 9)."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

PASSWORD = "a long enough passphrase"
PAPER = "/papers/2608.18580"
_numbers = itertools.count(1)


def _log_in(page: Page, site: Site) -> None:
    name = f"keyboard{next(_numbers)}"
    site.services.community.accounts.create_user(
        name, f"{name}@example.org", PASSWORD, verified=True
    )
    page.goto("/login")
    page.get_by_label("Username or email address").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("link", name=f"@{name}")).to_be_visible()


def test_after_an_upvote_from_the_keyboard_focus_stays_on_the_button(
    page: Page, site: Site
) -> None:
    _log_in(page, site)
    page.goto(PAPER)
    button = page.get_by_role("main").get_by_role("button", name=re.compile(r"upvotes?$")).first
    before = button.get_attribute("aria-pressed")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).not_to_have_attribute("aria-pressed", before or "")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")  # and again: the vote is taken back, focus still there
    expect(button).to_have_attribute("aria-pressed", before or "false")
    expect(button).to_be_focused()
