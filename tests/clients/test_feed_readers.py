"""Feed readers: feedparser reads every feed cleanly and revalidates with ETag or date."""

from __future__ import annotations

import feedparser
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
