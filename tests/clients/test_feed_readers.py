"""Feed readers: feedparser reads every feed cleanly and revalidates with ETag or date."""

from __future__ import annotations

import feedparser
import httpx
import pytest

from tests.clients.conftest import Live

FEEDS = [
    "/feeds/daily.atom",
    "/feeds/trending.atom",
    "/feeds/search.atom?q=video",
    "/feeds/category/cs.CL.atom",
]


@pytest.mark.parametrize("path", FEEDS)
def test_feedparser_reads_each_feed_without_complaint(live: Live, path: str) -> None:
    feed = feedparser.parse(f"{live.base_url}{path}")

    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.status == 200
    assert feed.feed.title


def test_feedparser_revalidates_with_its_stored_etag_and_date(live: Live) -> None:
    url = f"{live.base_url}/feeds/daily.atom"
    first = feedparser.parse(url)
    assert first.entries, "the daily feed should list the latest day's papers"

    by_etag = feedparser.parse(url, etag=first.etag)
    by_date = feedparser.parse(url, modified=first.modified)

    assert by_etag.status == 304
    assert by_date.status == 304


def test_a_category_feed_in_another_case_redirects_to_the_one_feed(live: Live) -> None:
    lower = httpx.get(f"{live.base_url}/feeds/category/cs.cl.atom", timeout=10)
    physics = httpx.get(f"{live.base_url}/feeds/category/COND-MAT.MES-HALL.atom", timeout=10)
    followed = feedparser.parse(f"{live.base_url}/feeds/category/cs.cl.atom")

    assert lower.status_code == 301
    assert lower.headers["location"] == "/feeds/category/cs.CL.atom"
    assert physics.headers["location"] == "/feeds/category/cond-mat.mes-hall.atom"
    assert followed.bozo == 0 and followed.href.endswith("/feeds/category/cs.CL.atom")


def test_a_feed_error_is_text_a_feed_reader_can_show(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/feeds/search.atom", params={"q": ""}, timeout=10)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("400: ") and "<html" not in response.text
