"""axe-core finds no serious or critical accessibility violation on the main pages.

axe-core (from the npm registry, as bundled in the `axe-playwright-python` wheel) is served to
the page from the site's own origin at a path only the test answers, so the page's CSP
(`script-src 'self'`) holds and nothing comes from another host.
"""

from __future__ import annotations

from importlib.resources import files

import pytest
from playwright.sync_api import Page, Route

from tests.browser.conftest import PHONE, NewPage, Site

AXE_PATH = "/__browser-tests__/axe.min.js"
AXE_SCRIPT = files("axe_playwright_python").joinpath("axe.min.js").read_bytes()
SERIOUS = ("serious", "critical")
PAGES = [
    "/",
    "/week",
    "/trending",
    "/papers/2608.19880",
    "/papers/2606.02641",  # a formula in its abstract, typeset as MathML
    "/date/2026-06-15",  # that paper's card, and cards with arXiv category chips
    "/search?q=cooperation+envelope&mode=keyword",  # a hit whose snippet holds the formula
    "/search?q=chain-of-thought+rationale+distillation",
    "/subscribe",
    "/about",
    "/signup",
    "/login",
]


def _serve_axe(route: Route) -> None:
    route.fulfill(body=AXE_SCRIPT, content_type="text/javascript; charset=utf-8")


def _violations(page: Page, site: Site) -> list[str]:
    page.context.route(site.url(AXE_PATH), _serve_axe)
    page.add_script_tag(url=AXE_PATH)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}"
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(new_page: NewPage, site: Site, path: str) -> None:
    page = new_page()
    page.goto(path)
    assert _violations(page, site) == []


@pytest.mark.parametrize("scheme", ["dark"])
def test_no_serious_accessibility_violations_in_dark_mode_on_a_phone(
    new_page: NewPage, site: Site, scheme: str
) -> None:
    page = new_page(viewport=PHONE, color_scheme=scheme)
    problems = {}
    for path in PAGES[:4]:
        page.goto(path)
        problems[path] = _violations(page, site)
    assert problems == {path: [] for path in PAGES[:4]}


def test_the_check_itself_finds_a_critical_violation(page: Page, site: Site) -> None:
    """An image without alt text and a button without a name: axe must report them."""
    page.goto("/about")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
                '<img src="/favicon.ico"><button type="button"></button>');
        }"""
    )
    found = " ".join(_violations(page, site))
    assert "critical: image-alt" in found and "critical: button-name" in found
