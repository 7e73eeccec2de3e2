"""Every main page is light: under 100 KB transferred for its HTML, CSS and JS together
(issue 10, "What a user sees when this is done": "Every HTML page is under 100 KB
transferred (HTML + CSS + JS, math fonts aside)").

Chromium loads each page in a fresh context (an empty cache) and reports, through the
DevTools protocol, the bytes each response took on the wire (`Network.loadingFinished`'s
`encodedDataLength`: headers plus the body as sent, gzipped where the server compressed it).
Documents, stylesheets and scripts, and what scripts fetch, count; fonts and images (the
favicon) do not. The table of what each page weighs is printed (`pytest -s` shows it).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import NewPage
from tests.browser.test_math import MATH_PAPER
from tests.browser.test_pages import MAIN_PAGES

PAGE_BUDGET_BYTES = 100 * 1024  # issue 10: HTML + CSS + JS per page, transferred
COUNTED = {"Document": "html", "Stylesheet": "css", "Script": "js", "XHR": "js", "Fetch": "js"}
PAGES = [*MAIN_PAGES, (f"/papers/{MATH_PAPER}", "paper-with-math")]
WEIGHTS: dict[str, dict[str, int]] = {}


def transferred(page: Page, path: str) -> dict[str, int]:
    """Bytes on the wire by kind ("html", "css", "js", "other") for loading `path`."""
    cdp = page.context.new_cdp_session(page)
    kinds: dict[str, str] = {}
    sizes: dict[str, int] = defaultdict(int)
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))

    def finished(event: dict) -> None:
        kind = COUNTED.get(kinds.get(event["requestId"], ""), "other")
        sizes[kind] += int(event["encodedDataLength"])

    cdp.on("Network.loadingFinished", finished)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    response = page.goto(path, wait_until="load")
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    cdp.detach()
    return dict(sizes)


@pytest.mark.parametrize("path,name", PAGES, ids=[name for _, name in PAGES])
def test_a_main_page_is_under_the_transfer_budget(new_page: NewPage, path: str, name: str) -> None:
    sizes = transferred(new_page(), path)
    total = sum(sizes.get(kind, 0) for kind in ("html", "css", "js"))
    WEIGHTS[name] = {**sizes, "total": total}
    assert sizes.get("html", 0) > 0, f"{path}: the document's size was not seen"
    assert total < PAGE_BUDGET_BYTES, (
        f"{path} transfers {total} bytes of HTML + CSS + JS (budget {PAGE_BUDGET_BYTES}): {sizes}"
    )


def teardown_module() -> None:
    if not WEIGHTS:
        return
    rows = [f"{'page':<18}{'html':>8}{'css':>8}{'js':>8}{'total':>9}{'other':>8}  (bytes)"]
    for name, s in WEIGHTS.items():
        rows.append(
            f"{name:<18}{s.get('html', 0):>8}{s.get('css', 0):>8}{s.get('js', 0):>8}"
            f"{s['total']:>9}{s.get('other', 0):>8}"
        )
    print("\n" + "\n".join(rows) + f"\nbudget: {PAGE_BUDGET_BYTES} bytes per page")
