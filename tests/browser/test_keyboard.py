"""The site with the keyboard alone, in chromium: focus is never lost (issue 10 item 9)."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import NewPage, Site

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


def test_shortcuts_search_move_between_papers_open_and_list_the_keys(page: Page) -> None:
    page.goto("/")
    page.wait_for_load_state()  # keys.js is deferred: it listens from the load event on
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search papers")).to_be_focused()
    page.keyboard.press("Escape")
    page.get_by_role("heading", level=1).click()  # out of the box: keys are not typed text
    articles = page.get_by_role("main").get_by_role("article")
    titles = [articles.nth(i).get_by_role("heading").inner_text() for i in range(2)]
    page.keyboard.press("j")
    expect(articles.nth(0).get_by_role("link", name=titles[0])).to_be_focused()
    page.keyboard.press("j")
    expect(articles.nth(1).get_by_role("link", name=titles[1])).to_be_focused()
    page.keyboard.press("k")
    expect(articles.nth(0).get_by_role("link", name=titles[0])).to_be_focused()
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_visible()
    expect(help).to_contain_text("Next paper")
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()
    page.keyboard.press("o")
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[0])


def test_u_upvotes_the_current_paper(page: Page, site: Site) -> None:
    _log_in(page, site)
    page.goto("/week")
    page.wait_for_load_state()
    first = page.get_by_role("main").get_by_role("article").first
    button = first.get_by_role("button", name=re.compile(r"upvotes?$"))
    before = button.get_attribute("aria-pressed")
    page.keyboard.press("j")
    page.keyboard.press("u")
    expect(button).not_to_have_attribute("aria-pressed", before or "")


def _dark(page: Page) -> bool:
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return sum(int(x) for x in colour[colour.index("(") + 1 : -1].split(",")[:3]) < 3 * 60


def test_the_theme_toggle_overrides_the_system_and_is_remembered(new_page: NewPage) -> None:
    page = new_page(color_scheme="light")
    page.goto("/")
    assert not _dark(page)
    page.get_by_role("button", name="Dark theme").click()
    assert _dark(page)
    page.goto("/about")  # another page, the same choice, from the first paint
    assert _dark(page)
    page.get_by_role("button", name="Light theme").click()
    page.reload()
    assert not _dark(page)
