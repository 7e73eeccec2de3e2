"""TeX in titles and abstracts is typeset in the browser: MathML made on the server.

The demo paper 2606.02641 (featured on 2026-06-15) has a formula in its abstract, written
`\\(B_j(s) = β(π_j)α_j^{\\max}(s)\\)`. Chromium must parse it as MathML (a real
`MathMLElement` with a size), show no raw TeX, and load nothing for it (no script, no font:
the `new_page` guard fails a request to another host).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import NewPage, Shot

MATH_PAPER = "2606.02641"
MATH_DAY = "/date/2026-06-15"


def _typeset_formulas(page: Page, within: str) -> list[dict]:
    return page.evaluate(
        """(within) => [...document.querySelectorAll(within + ' math')].map(m => {
            const box = m.getBoundingClientRect();
            return {mathml: m instanceof MathMLElement, width: box.width, height: box.height,
                    text: m.textContent};
        })""",
        within,
    )


def _assert_no_raw_tex(page: Page) -> None:
    shown = page.locator("main").inner_text()
    assert "\\(" not in shown and "\\max" not in shown and "\\" not in shown, shown


def test_a_formula_in_an_abstract_is_typeset_on_the_paper_page(
    new_page: NewPage, shot: Shot
) -> None:
    page = new_page()
    page.goto(f"/papers/{MATH_PAPER}")
    expect(page.locator(".abstract math").first).to_be_visible()
    formulas = _typeset_formulas(page, ".abstract")
    assert len(formulas) == 1
    assert formulas[0]["mathml"], "the <math> element was not parsed as MathML"
    assert formulas[0]["width"] > 20 and formulas[0]["height"] > 5
    _assert_no_raw_tex(page)
    assert "cooperation envelope" in page.locator(".abstract").inner_text()
    shot(page, "paper-with-math")


def test_a_formula_is_typeset_on_the_day_page_card(new_page: NewPage) -> None:
    page = new_page()
    page.goto(MATH_DAY)
    card = page.locator(".paper-item", has=page.locator(f'a[href="/papers/{MATH_PAPER}"]'))
    expect(card).to_have_count(1)
    assert card.locator(".abstract math").count() == 1
    _assert_no_raw_tex(page)


def test_a_search_hit_snippet_keeps_its_formula_whole_and_highlighted(
    new_page: NewPage, shot: Shot
) -> None:
    page = new_page()
    page.goto("/search?q=cooperation+envelope&mode=keyword")
    hit = page.locator(".paper-item", has=page.locator(f'a[href="/papers/{MATH_PAPER}"]'))
    expect(hit).to_have_count(1)
    assert hit.locator(".snippet mark").count() > 0
    assert hit.locator(".snippet math").count() == 1
    assert _typeset_formulas(page, ".snippet")[0]["mathml"]
    _assert_no_raw_tex(page)
    shot(page, "search-hit-with-math")
