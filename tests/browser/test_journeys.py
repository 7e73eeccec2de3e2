"""A new reader's day on the site, clicking real buttons in chromium (issue 10's journeys).

Each journey runs at 1440 px and at 360 px. Elements are found by role and accessible name,
as a screen-reader user finds them, so a template may change its markup freely as long as
what a user sees and hears stays the same. Mail (email verification, the digest's
confirmation link) is read from the real SMTP server the site sends to.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, NewPage, Shot, Site

VIEWPORTS = [pytest.param(DESKTOP, id="1440px"), pytest.param(PHONE, id="360px")]
_numbers = itertools.count(1)


def _unique(prefix: str) -> str:
    """A name no other test in this session uses (they share one database)."""
    return f"{prefix}{next(_numbers)}"


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _vote_button(page: Page) -> Locator:
    # The paper's own upvote button: its accessible name is "<count> upvotes".
    return _main(page).get_by_role("button", name=re.compile(r"^[\d,]+ upvotes?$")).first


def _vote_count(page: Page) -> int:
    name = _vote_button(page).inner_text()
    return int(re.sub(r"[^\d]", "", name))


def _comment(page: Page, text: str) -> Locator:
    # Comments are articles inside the paper's article: the innermost one holding the text.
    return _main(page).get_by_role("article").filter(has_text=text).last


def _sign_up(page: Page, site: Site, shot: Shot) -> tuple[str, str]:
    username, email = _unique("reader"), f"{_unique('reader')}@example.org"
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1, name="Sign up")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("a long enough passphrase")
    shot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Check your mail: we have sent a message to {email}"
    )

    page.goto(site.mail_link(email, "/verify-email/"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text(f"{email} is confirmed")

    # Signing up logs no one in (its answer can't differ for a registered address).
    page.goto("/login")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=f"@{username}")).to_be_visible()
    return username, email


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_reader_browses_signs_up_votes_comments_searches_and_collects(
    new_page: NewPage, site: Site, shot: Shot, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)

    # The front page shows the latest day; the previous day is one click away.
    page.goto("/")
    today = page.get_by_role("heading", level=1)
    expect(today).to_have_text("Papers of Friday, 21 August 2026")
    shot(page, "home")
    page.get_by_role("link", name=re.compile("Thursday, 20 August 2026")).first.click()
    expect(today).to_have_text("Papers of Thursday, 20 August 2026")
    shot(page, "previous-day")

    # Open the first paper of that day.
    first = _main(page).get_by_role("article").first
    title = first.get_by_role("heading").inner_text()
    first.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    paper_url = page.url
    shot(page, "paper")

    # Sign up, confirm the address from the mail, come back to the paper.
    username, _ = _sign_up(page, site, shot)
    page.goto(paper_url)

    # Upvote: the count changes in place, with no page load (community.js).
    before = _vote_count(page)
    page.evaluate("window.__no_reload = true")
    _vote_button(page).click()
    expect(_vote_button(page)).to_have_attribute("aria-pressed", "true")
    expect(_vote_button(page)).to_have_accessible_name(f"{before + 1:,} upvotes")
    assert page.evaluate("window.__no_reload === true"), "the upvote reloaded the page"

    # Comment, reply, edit, delete.
    comment, reply = f"First thoughts from {username}", f"A reply from {username}"
    page.get_by_label("Add a comment").fill(comment)
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(_comment(page, comment)).to_contain_text(f"@{username}")

    _main(page).get_by_text("Reply", exact=True).first.click()
    page.get_by_label("Your reply").first.fill(reply)
    page.get_by_role("button", name="Reply", exact=True).first.click()
    expect(_comment(page, reply)).to_be_visible()
    shot(page, "discussion")

    _comment(page, comment).get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    page.get_by_label("Comment", exact=True).fill(f"{comment}, edited")
    page.get_by_role("button", name="Save").click()
    expect(_comment(page, f"{comment}, edited")).to_contain_text("edited")

    # Deleting asks first: "Cancel" keeps the reply, "OK" deletes it.
    questions: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.wait_for_load_state()  # the page's script (which asks) has run by the load event
    page.once("dialog", lambda dialog: answer(dialog, False))
    _comment(page, reply).get_by_role("button", name="Delete").click()
    expect(_comment(page, reply)).to_be_visible()
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: answer(dialog, True))
    _comment(page, reply).get_by_role("button", name="Delete").click()
    expect(_main(page).get_by_text(reply)).to_have_count(0)
    assert questions == ["Delete this comment? This cannot be undone."] * 2

    # Search from the header, open a hit, put it in a new collection.
    search = page.get_by_role("searchbox", name="Search papers")
    search.fill("chain-of-thought rationale distillation")
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    shot(page, "search")
    hit = _main(page).get_by_role("article").first
    hit_title = hit.get_by_role("heading").inner_text()
    hit.get_by_role("heading").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(hit_title)

    collection = f"Reading list of {username}"
    _main(page).get_by_text("New collection with this paper").click()
    page.get_by_label("Name").fill(collection)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("link", name=collection)).to_be_visible()
    page.get_by_role("link", name="Collections", exact=True).click()
    page.get_by_role("link", name=collection).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(collection)
    expect(_main(page).get_by_role("link", name=hit_title)).to_be_visible()
    shot(page, "collection")

    # Log out: the account menu offers logging in again.
    page.get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in")
    ).to_be_visible()


def _subscribe(page: Page, site: Site, shot: Shot) -> str:
    email = f"{_unique('digest')}@example.org"
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subscribe").click()
    page.get_by_label("Email address").fill(email)
    shot(page, "subscribe")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    return email


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_subscribing_to_the_digest_mails_a_confirmation_link(
    new_page: NewPage, site: Site, shot: Shot, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)
    email = _subscribe(page, site, shot)
    page.goto(site.mail_link(email, "/subscribe/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    expect(_main(page)).to_contain_text(email)
    shot(page, "confirm")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_subscriber_confirms_changes_and_cancels_the_digest_in_the_browser(
    new_page: NewPage, site: Site, shot: Shot, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)
    email = _subscribe(page, site, shot)

    page.goto(site.mail_link(email, "/subscribe/confirm/"))
    page.get_by_role("button", name="Yes, confirm my subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your digest")
    expect(_main(page)).to_contain_text("Subscription confirmed")
    shot(page, "manage")

    page.get_by_role("radio", name="Weekly").check()
    page.get_by_role("button", name="Save").click()
    expect(_main(page)).to_contain_text("Saved.")
    expect(page.get_by_role("radio", name="Weekly")).to_be_checked()

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    shot(page, "unsubscribed")
