"""Submitting a paper in chromium while arXiv is slow, failing or not needed (issue 10 item 5).

arXiv is the recorded-response server `site.arxiv`; each test scripts the ids it uses.
"""

from __future__ import annotations

import itertools

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.ingest.server import Reply, xml

PASSWORD = "a long enough passphrase"
_numbers = itertools.count(1)


def _atom(arxiv_id: str, title: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/{arxiv_id}v1</id>
    <updated>2026-08-19T17:00:00Z</updated>
    <published>2026-08-19T17:00:00Z</published>
    <title>{title}</title>
    <summary>Fetched from the recorded arXiv.</summary>
    <author><name>Ada Lovelace</name></author>
  </entry>
</feed>
"""


def _log_in_and_open_the_form(page: Page, site: Site) -> str:
    name = f"submitter{next(_numbers)}"
    site.services.community.accounts.create_user(
        name, f"{name}@example.org", PASSWORD, verified=True
    )
    page.goto("/login")
    page.get_by_label("Username or email address").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("link", name="Submit a paper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a paper")
    page.wait_for_load_state()  # the page's script has run by the load event
    return name


def test_an_id_from_a_month_long_past_is_refused_without_waiting_on_arxiv(
    page: Page, site: Site
) -> None:
    _log_in_and_open_the_form(page, site)
    page.get_by_label("arXiv id or URL").fill("https://arxiv.org/abs/2605.01234")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("published in May 2026")
    assert not [r for r in site.arxiv.requests() if r.query.get("id_list") == "2605.01234"]


def test_a_slow_arxiv_shows_progress_then_the_submitted_paper(page: Page, site: Site) -> None:
    name = _log_in_and_open_the_form(page, site)
    title = "A Paper That Took A While"
    site.arxiv.script(
        "/api/query", [xml(_atom("2608.41234", title), delay_s=0.5)], id_list="2608.41234"
    )
    page.get_by_label("arXiv id or URL").fill("2608.41234")
    # Click from the page's own script and read the page in the same turn: Playwright's
    # click() and expect() wait for the answer (a navigation), and the progress is gone then.
    shown = page.get_by_role("button", name="Submit").evaluate(
        """button => {
            button.click();  // the submit event runs now; the navigation only starts
            const status = document.querySelector('[role=status]');
            return [button.textContent, status && status.textContent,
                    button.form.getAttribute('aria-busy')];
        }"""
    )
    waiting = "Looking the paper up on arXiv: this can take a few seconds."
    assert shown == ["Submitting…", waiting, "true"]
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text(f"submitted by @{name}")


def test_a_failing_arxiv_is_reported_in_words(page: Page, site: Site) -> None:
    _log_in_and_open_the_form(page, site)
    site.arxiv.script("/api/query", [Reply(b"busy", status=503)], id_list="2608.41235")
    page.get_by_label("arXiv id or URL").fill("2608.41235")
    page.get_by_role("button", name="Submit").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("arXiv did not answer in time or could not be reached")
    expect(alert).to_contain_text("try again")
    expect(alert).not_to_contain_text("HTTP 503")
    expect(page.get_by_label("arXiv id or URL")).to_have_value("2608.41235")
