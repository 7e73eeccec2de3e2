"""The main pages in chromium: they render, load only from our origin, and follow dark mode.

The `new_page` fixture fails a test whose page tried another host or threw a script error;
here each main page is also screenshotted (test-artifacts/browser/) and every response the
page caused (styles, scripts, the favicon chromium asks for) must succeed.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.conftest import PHONE, Guard, NewPage, Shot, Site

PAPER = "/papers/2608.19880"  # in the demo data, on 2026-08-21
MAIN_PAGES = [
    ("/", "home"),
    ("/week", "week"),
    ("/month", "month"),
    ("/trending", "trending"),
    (PAPER, "paper"),
    ("/search?q=chain-of-thought+rationale+distillation", "search"),
    ("/subscribe", "subscribe"),
    ("/about", "about"),
    ("/signup", "signup"),
    ("/login", "login"),
    ("/digest/preview", "digest-preview"),
]


def _failed_responses(page: Page) -> list[str]:
    failed: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)
    return failed


@pytest.mark.parametrize("path,name", MAIN_PAGES, ids=[name for _, name in MAIN_PAGES])
def test_a_main_page_renders_from_our_origin_alone(
    new_page: NewPage, shot: Shot, path: str, name: str
) -> None:
    page = new_page()
    failed = _failed_responses(page)
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    shot(page, name)
    assert failed == []


def test_the_favicon_is_served_from_our_origin(browser: Browser, site: Site) -> None:
    # A context without the guard's route: Playwright's request interception makes
    # chromium fail every /favicon.ico request, served or not.
    context = browser.new_context(base_url=site.base_url)
    try:
        page = context.new_page()
        page.goto("/")
        answer = page.evaluate(
            """async () => {
                const r = await fetch('/favicon.ico');
                return {status: r.status, type: r.headers.get('content-type'),
                        size: (await r.arrayBuffer()).byteLength};
            }"""
        )
    finally:
        context.close()
    assert answer["status"] == 200
    assert answer["type"] == "image/x-icon"
    assert answer["size"] > 0


def _background(page: Page) -> tuple[int, int, int]:
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(x) for x in colour[colour.index("(") + 1 : -1].split(",")[:3])
    return red, green, blue


def _luminance(rgb: tuple[int, int, int]) -> float:
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


@pytest.mark.parametrize("path", ["/", PAPER, "/subscribe"])
def test_dark_mode_follows_the_system_setting(new_page: NewPage, shot: Shot, path: str) -> None:
    light = new_page(color_scheme="light")
    light.goto(path)
    dark = new_page(color_scheme="dark")
    dark.goto(path)
    shot(dark, "dark")
    assert _luminance(_background(light)) > 0.9
    assert _luminance(_background(dark)) < 0.15
    text = dark.evaluate("getComputedStyle(document.body).color")
    assert text != "rgb(0, 0, 0)", "dark mode kept black text"


def test_at_360px_no_page_scrolls_sideways(new_page: NewPage, shot: Shot) -> None:
    page = new_page(viewport=PHONE)
    for path, name in MAIN_PAGES[:7]:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a 360px screen"
        shot(page, f"360px-{name}")


def test_the_guard_catches_a_page_that_loads_from_another_host(
    browser: Browser, site: Site
) -> None:
    """The check every browser test relies on: a foreign request is blocked and recorded."""
    guard = Guard(site.base_url)
    context = browser.new_context(base_url=site.base_url)
    try:
        context.route("**/*", guard.route)
        page = context.new_page()
        # Our pages' CSP would stop this before the network; the guard must not rely on it.
        page.set_content('<img src="http://example.org/tracker.png" alt="">')
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert guard.foreign == ["http://example.org/tracker.png"]
