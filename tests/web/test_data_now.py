"""One notion of "now" for a data set that is not live (issue 10 item 8): months after the
demo's last day, the search feed still lists the demo's recent papers, and a feed with no
entries says its own last change as `updated`, never 1970-01-01."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services, bootstrap
from tests.web.support import FIXED_NOW

A = "{http://www.w3.org/2005/Atom}"
LATER = FIXED_NOW + timedelta(days=120)  # the demo's data stopped on 2026-08-21


@pytest.fixture(scope="module")
def later_client(demo_services: Services) -> Iterator[TestClient]:
    """The demo's database, read by a site whose clock is four months past its last day."""
    services = bootstrap(demo_services.settings, clock=lambda: LATER)
    try:
        with TestClient(create_app(services)) as client:
            yield client
    finally:
        services.close()


def _feed(client: TestClient, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_the_search_feed_of_a_stale_data_set_ends_at_its_newest_day(
    later_client: TestClient,
) -> None:
    feed = _feed(later_client, "/feeds/search.atom?q=diffusion")
    assert len(feed.findall(f"{A}entry")) > 0


def test_an_empty_feed_is_updated_at_the_datas_last_day_not_the_epoch(
    later_client: TestClient,
) -> None:
    feed = _feed(later_client, "/feeds/search.atom?q=qwertyuiopasdf")
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated", "").startswith("2026-08-21T00:00:00")
