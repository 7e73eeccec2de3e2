"""The demo's arXiv categories in chromium (issue 10 item 8): cards show their category
chips, and the search page's category filter keeps only papers of that category.

The bundled demo rows carry the arXiv listings' categories where the listings
(../shared/data/arxiv_daily_cs, to 2026-07-01) hold the paper (tools/make_demo_data.py).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Shot

CROSS_LISTED = "2606.13707"  # Orchestra-o1, featured on 2026-06-15: cs.AI, cs.CL, cs.CV


def test_a_card_shows_its_arxiv_category_chips(page: Page, shot: Shot) -> None:
    page.goto("/date/2026-06-15")
    card = page.locator(".paper-item", has=page.locator(f'a[href="/papers/{CROSS_LISTED}"]'))
    chips = card.get_by_role("list", name="arXiv categories").get_by_role("listitem")
    expect(chips).to_have_text(["cs.AI", "cs.CL", "cs.CV"])
    shot(page, "day-with-categories")


def test_the_category_filter_keeps_only_papers_of_that_category(page: Page, shot: Shot) -> None:
    page.goto("/search?q=distillation")
    page.get_by_label("arXiv category", exact=True).fill("cs.CL")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**category=cs.CL*")
    hits = page.locator("ol.search-results article")
    expect(hits.first).to_be_visible()
    chips = hits.evaluate_all(
        "els => els.map(e => [...e.querySelectorAll('.chips li')].map(li => li.textContent))"
    )
    assert chips and all("cs.CL" in categories for categories in chips), chips
    shot(page, "category-filter")


def test_a_category_no_paper_has_is_named_as_what_emptied_the_result(page: Page) -> None:
    page.goto("/search?q=distillation&category=math.AG")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("No papers match")
    expect(empty).to_contain_text("the arXiv category “math.AG” left none")
