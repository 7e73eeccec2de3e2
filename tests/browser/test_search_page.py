"""The search page in chromium (issue 10 item 4): one query box, one similarity per hit,
options that follow dark mode, "Did you mean …", and an honest "no results" that offers a
broader search."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import NewPage, Shot


def _search(page: Page, query: str) -> None:
    box = page.get_by_role("searchbox", name="Search papers")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search?*")


def test_the_header_box_keeps_the_query_and_each_hit_shows_one_similarity(
    page: Page, shot: Shot
) -> None:
    page.goto("/")
    _search(page, "chain-of-thought rationale distillation")
    expect(page.get_by_role("searchbox")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Search papers")).to_have_value(
        "chain-of-thought rationale distillation"
    )
    hits = page.locator("ol.search-results article")
    expect(hits.first).to_be_visible()
    shot(page, "results")
    counts = hits.evaluate_all(
        "els => els.map(e => (e.innerText.match(/similarity/g) || []).length)"
    )
    assert counts and max(counts) <= 1, counts


def test_the_options_keep_the_query_and_follow_dark_mode(new_page: NewPage, shot: Shot) -> None:
    page = new_page(color_scheme="dark")
    page.goto("/search?q=distillation")
    page.get_by_label("Order").select_option("newest")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**sort=newest*")
    assert "q=distillation" in page.url
    expect(page.get_by_role("searchbox", name="Search papers")).to_have_value("distillation")
    shot(page, "dark-options")
    for label in ("Match", "Order", "arXiv category"):
        colour = page.get_by_label(label, exact=True).evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        red, green, blue = (int(x) for x in colour[colour.index("(") + 1 : -1].split(",")[:3])
        assert red + green + blue < 3 * 60, f"{label} stays light in dark mode: {colour}"


def test_a_misspelt_query_is_offered_the_spelling_of_the_papers(page: Page) -> None:
    page.goto("/")
    _search(page, "tranformer")
    suggestion = page.locator(".suggestion")
    expect(suggestion).to_contain_text("Did you mean")
    suggestion.get_by_role("link").click()
    page.wait_for_url("**q=transformer*")
    expect(page.locator("ol.search-results article").first).to_be_visible()


def test_no_results_says_so_and_offers_a_broader_search(page: Page) -> None:
    page.goto("/search?q=distillation&category=zz.NONE")
    expect(page.locator(".empty")).to_contain_text("No papers match")
    expect(page.locator(".empty")).to_contain_text("the arXiv category “zz.NONE” left none")
    page.get_by_role("link", name="the same words without filters").click()
    page.wait_for_url("**/search?q=distillation")
    expect(page.locator("ol.search-results article").first).to_be_visible()


def test_no_results_from_the_words_alone_blames_no_filter(page: Page) -> None:
    page.goto("/search?q=qwertyuiopasdf&has_code=1")
    empty = page.locator(".empty")
    expect(empty).to_contain_text("No papers match")
    expect(empty).not_to_contain_text("left none")


def test_a_quoted_phrase_narrowed_to_a_category_marks_the_phrase_in_every_hit(
    page: Page, shot: Shot
) -> None:
    """Issue 15: a quoted phrase is its own query shape, and a category filter goes through
    the cached set of passing papers; the hits must hold the phrase, be in the category,
    and show the phrase's words marked (the snippet's TeX reading and highlighting)."""
    page.goto("/")
    _search(page, '"chain of thought"')
    page.get_by_label("arXiv category", exact=True).fill("cs.CL")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**category=cs.CL*")
    expect(page.get_by_role("searchbox", name="Search papers")).to_have_value('"chain of thought"')
    hits = page.locator("ol.search-results article")
    expect(hits.first).to_be_visible()
    shot(page, "phrase-in-category")
    found = hits.evaluate_all(
        """els => els.map(e => ({
            text: e.innerText,
            marked: [...e.querySelectorAll('mark')].map(m => m.innerText.toLowerCase()),
            categories: [...e.querySelectorAll('ul.chips li')].map(li => li.innerText),
        }))"""
    )
    assert len(found) >= 3, found
    for hit in found:
        assert "cs.CL" in hit["categories"], hit
        assert {"chain", "thought"} <= {w.rstrip("s") for w in hit["marked"]}, hit
