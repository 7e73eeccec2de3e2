"""Comment counts (issue 10 item 6), in chromium: cards, the paper page and the API's
`numComments` count Hugging Face's comments plus ours, the way upvotes are counted."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

PAPER = "2608.19880"  # the top paper of the demo's last day (the front page)


def _num_comments(page: Page) -> int:
    items = page.evaluate("fetch('/api/daily_papers?date=2026-08-21').then(r => r.json())")
    (item,) = [i for i in items if i["paper"]["id"] == PAPER]
    return item["numComments"]


def _card(page: Page):
    return (
        page.get_by_role("main")
        .get_by_role("article")
        .filter(has=page.locator(f'a[href="/papers/{PAPER}"]'))
    )


def test_a_comment_here_counts_on_the_card_the_paper_page_and_the_api(
    page: Page, site: Site
) -> None:
    page.goto("/")
    hugging_face = _num_comments(page)
    accounts = site.services.community.accounts
    author = accounts.create_user(
        "counter1", "counter1@example.org", "a long passphrase", verified=True
    )
    site.services.community.comments.add(author, PAPER, "Counting this one.")

    page.goto("/")
    assert _num_comments(page) == hugging_face + 1
    total = hugging_face + 1
    expect(_card(page).locator(".comment-count")).to_have_text(
        f"{total} comment{'' if total == 1 else 's'}"
    )

    page.goto(f"/papers/{PAPER}")
    meta = page.locator("main .meta").first
    expect(meta.locator(".comment-count")).to_have_text(re.compile(rf"^{total} comments?$"))
    if hugging_face:
        expect(meta.locator(".comment-breakdown")).to_have_text(
            f"({hugging_face} on Hugging Face + 1 here)"
        )
    expect(page.get_by_text("Counting this one.")).to_be_visible()
