"""The HTML pages, and their JSON twins, on the real demo data."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from dailypapers.domain.trending import FORMULA
from dailypapers.web.negotiation import prefers_json
from dailypapers.web.rendering import tex
from tests.web.conftest import MakeClient
from tests.web.support import hf_row, write_jsonl

ITEM_LINK = re.compile(r'<h2 class="paper-title"[^>]*><a href="([^"]+)">(.*?)</a></h2>', re.S)


def _shown(page: str) -> list[tuple[str, str]]:
    """(href, title) of each paper listed on a page, as a reader sees them."""
    return [(href, html.unescape(title)) for href, title in ITEM_LINK.findall(page)]


def _h1(page: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert match, "every page has an h1"
    return html.unescape(match.group(1))


def _link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def test_home_shows_the_latest_day(demo_client: TestClient) -> None:
    response = demo_client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert _h1(page) == "Papers of Friday, 21 August 2026"
    api = demo_client.get("/api/daily_papers", params={"date": "2026-08-21"}).json()
    assert [href for href, _ in _shown(page)] == [f"/papers/{i['paper']['id']}" for i in api]
    assert "EnvHarness: Awakening Static Worlds for Agent Learning" in page
    assert 'lang="en"' in page and '<main id="main">' in page


def test_list_items_show_votes_submitter_org_code_and_shortened_authors(
    demo_client: TestClient,
) -> None:
    page = demo_client.get("/date/2026-08-21").text
    first = page.split('<li class="paper-item">')[1].split("</li>\n")[0]

    assert ">1</div>" in first  # rank
    assert "163" in first  # upvotes
    assert 'submitted by <a href="/u/taesiri">@taesiri</a>' in first
    assert "google" in first
    assert 'href="https://github.com/google-research/envharness"' in first
    assert "★</span> 8" in first
    assert "Chengsong Huang, Zifeng Wang, Rujun Han et al." in first
    assert "Chen-Yu Lee" not in first  # the 17th author is behind "et al."
    assert 'class="abstract clamp"' in first


def test_day_links_skip_days_without_papers(demo_client: TestClient) -> None:
    # Fridays 2026-08-14 and Mondays 2026-08-17 have papers; the weekend between has none.
    monday = demo_client.get("/date/2026-08-17").text
    assert _link(monday, "prev") == "/date/2026-08-14"
    assert _link(monday, "next") == "/date/2026-08-18"

    friday = demo_client.get("/date/2026-08-14").text
    assert _link(friday, "next") == "/date/2026-08-17"


def test_a_day_without_papers_is_an_empty_list_with_the_nearest_links(
    demo_client: TestClient,
) -> None:
    response = demo_client.get("/date/2026-08-15")

    assert response.status_code == 200
    assert _shown(response.text) == []
    assert "No papers were featured on this day" in response.text
    assert _link(response.text, "prev") == "/date/2026-08-14"
    assert _link(response.text, "next") == "/date/2026-08-17"


def test_latest_day_has_no_next_link(demo_client: TestClient) -> None:
    page = demo_client.get("/date/2026-08-21").text
    assert _link(page, "prev") == "/date/2026-08-20"
    assert _link(page, "next") is None


def test_week_page_aggregates_its_days(demo_client: TestClient) -> None:
    response = demo_client.get("/week/2026-W34", params={"limit": 100})

    assert response.status_code == 200
    assert _h1(response.text) == "Papers of Week 34, 2026"
    assert "17 Aug 2026 – 23 Aug 2026" in response.text
    shown = _shown(response.text)
    api = demo_client.get("/api/daily_papers", params={"week": "2026-W34", "limit": 100}).json()
    assert [href for href, _ in shown] == [f"/papers/{i['paper']['id']}" for i in api]
    assert _link(response.text, "prev") == "/week/2026-W33"


def test_month_page_renders_with_links_to_neighbouring_months(demo_client: TestClient) -> None:
    response = demo_client.get("/month/2026-07")

    assert response.status_code == 200
    assert _h1(response.text) == "Papers of July 2026"
    assert len(_shown(response.text)) == 50  # the default page size
    assert _link(response.text, "prev") == "/month/2026-06"
    assert _link(response.text, "next") == "/month/2026-08"


def test_this_week_and_this_month_go_to_the_latest_ones(demo_client: TestClient) -> None:
    week = demo_client.get("/week", follow_redirects=False)
    month = demo_client.get("/month", follow_redirects=False)
    assert (week.status_code, week.headers["location"]) == (302, "/week/2026-W34")
    assert (month.status_code, month.headers["location"]) == (302, "/month/2026-08")


def test_pagination_links_carry_sort_and_limit(demo_client: TestClient) -> None:
    first = demo_client.get("/date/2026-08-20", params={"limit": 5, "sort": "published"}).text
    assert _link(first, "next") is None or "/date/" in _link(first, "next")  # the day link
    pager = first.split('class="pager"')[1]
    assert 'href="/date/2026-08-20?sort=published&amp;p=1&amp;limit=5"' in pager

    second = demo_client.get("/date/2026-08-20", params={"limit": 5, "p": 1}).text
    assert ">6</div>" in second  # ranks continue across pages
    assert [h for h, _ in _shown(second)] == [
        f"/papers/{i['paper']['id']}"
        for i in demo_client.get(
            "/api/daily_papers", params={"date": "2026-08-20", "limit": 5, "p": 1}
        ).json()
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/date/2026-02-30",
        "/date/yesterday",
        "/week/2026-W99",
        "/month/2026-13",
        "/?sort=votes",
        "/?limit=0",
        "/?p=-1",
        "/?p=x",
    ],
)
def test_bad_page_input_is_a_400_page(demo_client: TestClient, url: str) -> None:
    response = demo_client.get(url)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert _h1(response.text) == "Bad request"
    assert "Traceback" not in response.text


def test_paper_page_shows_the_paper(demo_client: TestClient) -> None:
    response = demo_client.get("/papers/2608.19880")

    assert response.status_code == 200
    page = response.text
    assert _h1(page) == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert "Chengsong Huang" in page and "Chen-Yu Lee" in page  # all the authors
    assert "LLM agents learn by interacting with environments" in page
    assert 'href="https://arxiv.org/abs/2608.19880"' in page
    assert 'href="https://arxiv.org/pdf/2608.19880"' in page
    assert 'href="https://github.com/google-research/envharness"' in page
    assert 'google-research/envharness <span aria-hidden="true">★</span> 8' in page
    assert 'href="https://envharness.com/"' in page
    assert 'href="/date/2026-08-21"' in page  # the day it was featured
    assert 'submitted by <a href="/u/taesiri">@taesiri</a>' in page
    assert "generated by Hugging Face" in page  # the AI summary is labelled as HF's


def test_paper_featured_twice_links_both_days(demo_client: TestClient) -> None:
    page = demo_client.get("/papers/2608.12313").text
    assert 'href="/date/2026-08-13"' in page and 'href="/date/2026-08-19"' in page


def test_unknown_paper_is_a_404_page(demo_client: TestClient) -> None:
    response = demo_client.get("/papers/2601.00001")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert _h1(response.text) == "Not found"
    assert "2601.00001 is not in this database" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "pasted",
    ["2608.19880v2", "arxiv.org/abs/2608.19880", "https://arxiv.org/pdf/2608.19880v1"],
)
def test_non_canonical_ids_redirect_to_the_canonical_paper_page(
    demo_client: TestClient, pasted: str
) -> None:
    response = demo_client.get(f"/papers/{pasted}", follow_redirects=False)

    assert response.status_code == 301
    assert response.headers["location"] == "/papers/2608.19880"


def test_imported_markup_is_escaped_and_latex_typeset(
    make_client: MakeClient, tmp_path: Path
) -> None:
    rows = [
        hf_row(
            "2608.90009",
            "2026-08-21",
            title="<script>alert('title')</script> Bounds on $O(n^{2})$ & <b>more</b>",
            abstract=(
                'We show $\\alpha < \\beta$ <img src=x onerror="alert(1)"> <script>x()</script>'
            ),
            authors=["Eve <script>alert(1)</script>"],
            submitted_by="<i>mallory</i>",
        )
    ]
    client, _ = make_client(write_jsonl(tmp_path / "evil.jsonl.gz", rows))

    for url in ("/", "/papers/2608.90009"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>more" not in page
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
        # formulas typeset as MathML (domain/tex.py), their TeX kept as an annotation
        assert '<annotation encoding="application/x-tex">O(n^{2})</annotation>' in page
        assert "</math> &amp; &lt;b&gt;more&lt;/b&gt;" in page
        assert "<mi>α</mi><mo>&lt;</mo><mi>β</mi>" in page
        assert '<annotation encoding="application/x-tex">\\alpha &lt; \\beta</annotation>' in page
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
        assert "@&lt;i&gt;mallory&lt;/i&gt;" in page
    # the site's own scripts, from its static files, and no other
    assert re.findall(r"<script[^>]*>", client.get("/").text) == [
        '<script src="/static/theme.js">',
        '<script src="/static/keys.js" defer>',
    ]


@pytest.mark.parametrize(
    "url", ["/", "/date/2026-08-20?limit=7&p=1", "/week/2026-W33", "/month/2026-07", "/trending"]
)
def test_json_twin_has_what_the_page_shows(demo_client: TestClient, url: str) -> None:
    page = demo_client.get(url).text
    twin = demo_client.get(url, headers={"Accept": "application/json"})

    assert twin.status_code == 200
    assert twin.headers["content-type"].startswith("application/json")
    data = twin.json()
    # titles are shown as the `tex` filter writes them (TeX typeset: "--" is "–")
    shown = [(i["url"], html.unescape(str(tex(i["title"])))) for i in data["items"]]
    assert shown == _shown(page)
    assert data["title"] == _h1(page)
    assert [i["rank"] for i in data["items"]] == [
        int(r) for r in re.findall(r'<div class="rank"[^>]*>(\d+)</div>', page)
    ]
    sep = "&" if "?" in url else "?"
    assert demo_client.get(f"{url}{sep}format=json").json() == data


def test_paper_json_twin_matches_the_page(demo_client: TestClient) -> None:
    data = demo_client.get("/papers/2608.19880", params={"format": "json"}).json()
    page = demo_client.get("/papers/2608.19880").text

    assert data["title"] == _h1(page)
    assert data["abs_url"] == "https://arxiv.org/abs/2608.19880"
    assert data["github_stars"] == 8 and data["upvotes"] == 163
    assert [e["day"] for e in data["featured_on"]] == ["2026-08-21"]
    assert str(escape(data["abstract"])) in page  # escaped as the template escapes it


def test_errors_of_a_json_twin_are_json(demo_client: TestClient) -> None:
    response = demo_client.get("/papers/2601.00001", params={"format": "json"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_browsers_get_html_and_json_clients_get_json() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert not prefers_json(browser)
    assert not prefers_json("*/*")
    assert not prefers_json("")
    assert not prefers_json("application/json;q=0.5, text/html")
    assert prefers_json("application/json")
    assert prefers_json("application/json, text/html;q=0.9")


def test_trending_page_ranks_recent_papers(demo_client: TestClient) -> None:
    response = demo_client.get("/trending")

    assert response.status_code == 200
    assert _h1(response.text) == "Trending papers"
    shown = _shown(response.text)
    assert len(shown) == 50
    assert "last 7 days" in response.text


def test_about_page_explains_trending_and_the_api(demo_client: TestClient) -> None:
    page = demo_client.get("/about").text

    assert html.escape(FORMULA) in page
    assert "gravity = 1.8" in page
    # Every route of the OpenAPI schema is listed, with its method (the list was once
    # written by hand and lacked half of them).
    schema = demo_client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method in operations:
            assert f"{method.upper()} {html.escape(path)}" in page, (method, path)
    assert "/feeds/category/{category}.atom" in page


def test_empty_database_says_how_to_import(make_client: MakeClient) -> None:
    client, _ = make_client()

    response = client.get("/")

    assert response.status_code == 200
    assert "dailypapers import hf-daily PATH" in response.text
    assert client.get("/", params={"format": "json"}).json()["items"] == []
    assert client.get("/trending").status_code == 200
    assert client.get("/week", follow_redirects=False).headers["location"] == "/"


def test_every_page_has_the_search_box_and_nav(demo_client: TestClient) -> None:
    for url in ("/", "/papers/2608.19880", "/about", "/papers/2601.00001", "/trending"):
        page = demo_client.get(url).text
        assert 'id="site-search" role="search" action="/search" method="get">' in page
        assert '<label for="search-q"' in page and 'name="q"' in page
        for href in ('"/"', '"/week"', '"/month"', '"/trending"', '"/about"'):
            assert f"href={href}" in page
