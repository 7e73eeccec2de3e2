"""Browser tests: Playwright for Python driving Debian's /usr/bin/chromium against the real app.

Why a real browser: some bugs only show there (a header the browser honours, a script, the
Origin a browser sends after a page's Referrer-Policy). The in-process TestClient never sees
them. Never download a browser: these tests use the system's chromium (`make system-deps`).

What the fixtures give a test:
- `site` (one per run of this folder): the demo data in a copy of the session's demo
  template (tests/databases.py), served by
  uvicorn on a real socket (`tests/live_server.LiveServer`, `base_url` set to that URL),
  sending its mail to a real aiosmtpd server (`site.inbox`), taking a recorded-response
  server for arXiv (`site.arxiv`). Tests that write use their own usernames and addresses,
  so they never see each other's rows.
- `browser` (one per run of this folder): chromium, headless. Package scope, not session:
  Playwright's sync API keeps an asyncio loop running in the main thread while it is open,
  and later tests that call `asyncio.run` (outside this folder) must not find one.
- `page` (one per test): a fresh browser context (cookies, storage) and a page in it. Every
  request to another host is aborted and recorded, and the test fails if any was tried: pages
  must load nothing from another host. An uncaught script error fails the test too.
- `shot(page, name)`: a full-page screenshot under test-artifacts/browser/<test>/ (git ignores
  test-artifacts/), for a person to look at after a run.

Select elements by role and accessible name (`get_by_role("button", name="Subscribe")`): those
survive template refactors that keep the page the same for its users.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import Services, bootstrap
from tests.databases import demo_at, sqlite_copy
from tests.ingest.server import RecordedServer
from tests.live_server import LiveServer, free_port
from tests.mail_support import Inbox, start_server
from tests.web.support import FIXED_NOW, fixed_clock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives chromium: mark it so `-m "not browser"` skips them."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class Site:
    base_url: str
    services: Services
    inbox: Inbox
    arxiv: RecordedServer  # what the site takes for export.arxiv.org (script it per test)

    def url(self, path: str) -> str:
        return self.base_url + path

    def mail_link(self, to: str, path_prefix: str, *, count: int = 1) -> str:
        """The link starting with `path_prefix` in the `count`-th mail to `to` (waits for it)."""
        pattern = re.compile(re.escape(self.base_url + path_prefix) + r"[^\s\"'<>]+")
        deadline = time.monotonic() + 10
        messages = self.inbox.to(to)
        while len(messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
            messages = self.inbox.to(to)
        assert len(messages) >= count, f"mail #{count} to {to} did not arrive"
        message = messages[count - 1]
        text = message.get_body(preferencelist=("plain",)).get_content()
        found = pattern.search(text)
        assert found, f"no {path_prefix} link in the mail to {to}:\n{text}"
        return found.group(0)


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    controller, smtp = start_server()
    arxiv = RecordedServer().start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path_factory.mktemp("browser-site")
    settings = Settings(
        data_dir=data_dir,
        database_url=sqlite_copy(data_dir / "dailypapers.db", demo_at(FIXED_NOW)),
        **smtp.settings(base_url=base_url),
        # The site never reaches the internet here: arXiv is the recorded-response server.
        arxiv_api_url=f"{arxiv.url}/api/query",
        http_host_delay_s=0,
        http_backoff_s=0.05,
        http_backoff_max_s=0.1,
        submission_fetch_timeout_s=3,
    )
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    assert services.papers.count() > 1000  # the demo, a copy of the session's template
    # Load the embedding model now, not inside the first search a journey types.
    services.search.query_vector("warm up the embedder")
    try:
        with LiveServer(create_app(services), port) as live_url:
            assert live_url == base_url
            yield Site(base_url, services, smtp.inbox, arxiv)
    finally:
        services.close()
        controller.stop()
        arxiv.stop()


@pytest.fixture(scope="package")
def playwright_session() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`make system-deps`, or "
            "`apt-get install chromium`); these tests never download a browser"
        )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Guard:
    """What a page tried that it must not: requests to other hosts, uncaught script errors."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin or parts.scheme in ("data", "blob"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort("blockedbyclient")


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, site: Site) -> Iterator[NewPage]:
    """`new_page(viewport=..., color_scheme=...)`: a page in a fresh context, guarded."""
    contexts: list[tuple[BrowserContext, Guard]] = []

    def make(viewport: dict[str, int] | None = None, **options: object) -> Page:
        guard = Guard(site.base_url)
        context = browser.new_context(
            base_url=site.base_url, viewport=viewport or DESKTOP, **options
        )
        context.set_default_timeout(10_000)
        context.route("**/*", guard.route)
        contexts.append((context, guard))
        page = context.new_page()
        page.on("pageerror", lambda error: guard.script_errors.append(str(error)))
        return page

    yield make
    for context, _ in contexts:
        context.close()
    for _, guard in contexts:
        assert not guard.foreign, f"pages tried to load from other hosts: {guard.foreign}"
        assert not guard.script_errors, f"uncaught script errors: {guard.script_errors}"


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


Shot = Callable[[Page, str], Path]


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    taken: list[str] = []

    def take(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        taken.append(name)
        path = folder / f"{len(taken):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
