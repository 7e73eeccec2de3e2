"""Atom feeds (RFC 4287): parsed, checked for the required elements, ids stable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from tests.digest_support import featured, seed
from tests.web.conftest import MakeClient

A = "{http://www.w3.org/2005/Atom}"
FEEDS = ["/feeds/daily.atom", "/feeds/trending.atom", "/feeds/search.atom?q=diffusion"]


def parse(client: TestClient, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def rfc3339(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_atom(feed: ET.Element, self_url: str) -> list[ET.Element]:
    """The RFC 4287 musts for a feed and its entries; returns the entries."""
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}id", "").startswith("tag:localhost,2026:feed/")
    assert feed.findtext(f"{A}title")
    rfc3339(feed.findtext(f"{A}updated", ""))
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links["self"] == self_url
    assert feed.findtext(f"{A}author/{A}name")  # so entries need no author of their own
    entries = feed.findall(f"{A}entry")
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.findtext(f"{A}id", "").startswith("tag:localhost,2026:paper/")
        assert entry.findtext(f"{A}title")
        rfc3339(entry.findtext(f"{A}updated", ""))
        alternate = [x for x in entry.findall(f"{A}link") if x.get("rel") == "alternate"]
        assert alternate and alternate[0].get("href", "").startswith(
            "http://127.0.0.1:8000/papers/"
        )
        assert entry.findtext(f"{A}summary")
        assert all(n.text for n in entry.findall(f"{A}author/{A}name"))
    return entries


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_are_valid_atom_with_ids_stable_between_renders(
    demo_client: TestClient, url: str
) -> None:
    first = check_atom(parse(demo_client, url), f"http://127.0.0.1:8000{url}")
    second = parse(demo_client, url).findall(f"{A}entry")
    assert first, "the demo data should fill every feed"
    assert [e.findtext(f"{A}id") for e in first] == [e.findtext(f"{A}id") for e in second]


def test_a_paper_has_the_same_entry_id_in_every_feed(demo_client: TestClient) -> None:
    daily = {e.findtext(f"{A}id") for e in parse(demo_client, FEEDS[0]).findall(f"{A}entry")}
    trending = {e.findtext(f"{A}id") for e in parse(demo_client, FEEDS[1]).findall(f"{A}entry")}
    assert daily & trending


def test_search_feed_entries_match_the_query_and_empty_queries_are_refused(
    demo_client: TestClient,
) -> None:
    for entry in parse(demo_client, FEEDS[2]).findall(f"{A}entry"):
        text = (entry.findtext(f"{A}title", "") + entry.findtext(f"{A}summary", "")).lower()
        assert "diffusion" in text
    assert demo_client.get("/feeds/search.atom").status_code == 400


def test_unchanged_feed_answers_304(demo_client: TestClient) -> None:
    etag = demo_client.get(FEEDS[0]).headers["etag"]
    assert demo_client.get(FEEDS[0], headers={"if-none-match": etag}).status_code == 304


def test_category_feed_lists_cross_listed_papers_and_escapes_text(
    make_client: MakeClient,
) -> None:
    client, services = make_client()
    seed(
        services,
        [
            featured(
                "2608.00001",
                date(2026, 8, 20),
                3,
                categories=("cs.LG", "cs.CL"),
                title="Attention <b>is</b> all & more\x0c",
            ),
            featured("2608.00002", date(2026, 8, 21), 1, categories=("cs.CV",)),
        ],
    )
    feed = parse(client, "/feeds/category/cs.CL.atom")
    [entry] = check_atom(feed, "http://127.0.0.1:8000/feeds/category/cs.CL.atom")
    assert entry.findtext(f"{A}title") == "Attention <b>is</b> all & more"
    assert {c.get("term") for c in entry.findall(f"{A}category")} == {"cs.LG", "cs.CL"}
    assert entry.findtext(f"{A}id") == "tag:localhost,2026:paper/2608.00001"
    assert client.get("/feeds/category/not%20a%20category.atom").status_code == 400


def test_pages_advertise_the_daily_feed(demo_client: TestClient) -> None:
    page = demo_client.get("/").text
    assert 'type="application/atom+xml"' in page and 'href="/feeds/daily.atom"' in page
    assert 'href="/subscribe"' in page
