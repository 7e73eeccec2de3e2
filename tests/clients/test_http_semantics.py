"""HTTP tools and other sites' pages: HEAD, CORS, gzip, ETag/304, feed validators.

Raw HTTP over a real socket with httpx, as curl, an uptime monitor, a link checker or a
browser's fetch() from another origin would send it.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dailypapers.app import create_app
from tests.clients.conftest import Live

# A value for each path parameter of the GET routes, so every route can be asked.
SAMPLE_PARAMS = {
    "arxiv_id": "2507.17744",
    "day": "2025-07-24",
    "week": "2025-W30",
    "month": "2025-07",
    "category": "cs.CL",
    "username": "nobody",
    "comment_id": "1",
    "collection_id": "1",
    "token": "not-a-token",
    "verdict": "down",
    "name": "init.js",
}
OTHER_SITE = "https://reader.example"


def _get_paths(routes: list[Any], prefix: str = "") -> Iterator[str]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router
            yield from _get_paths(
                route.original_router.routes, prefix + route.include_context.prefix
            )
        elif "GET" in (getattr(route, "methods", None) or ()):
            yield prefix + route.path


def _concrete(path: str) -> str:
    for name, value in SAMPLE_PARAMS.items():
        path = path.replace(f"{{{name}:path}}", value).replace(f"{{{name}}}", value)
    assert "{" not in path, f"no sample value for a parameter of {path}"
    return path


def _every_get_path(live: Live) -> list[str]:
    return sorted({_concrete(p) for p in _get_paths(create_app(live.services).routes)})


def test_head_answers_every_get_route_with_the_gets_status_and_headers(live: Live) -> None:
    paths = _every_get_path(live)
    assert "/healthz" in paths and "/api/daily_papers" in paths and len(paths) > 30

    with httpx.Client(base_url=live.base_url, timeout=10) as client:
        for path in paths:
            get = client.get(path)
            head = client.head(path)
            assert head.status_code == get.status_code, path
            assert head.content == b"", path
            assert head.headers.get("content-type") == get.headers.get("content-type"), path
            # pages with a per-request CSRF token differ in length; the API never does
            if get.status_code == 200 and path.startswith(("/api/", "/healthz", "/feeds/")):
                assert head.headers["content-length"] == get.headers["content-length"], path


def test_healthz_answers_head_for_uptime_monitors(live: Live) -> None:
    response = httpx.head(f"{live.base_url}/healthz", timeout=10)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_another_sites_page_can_read_the_api_and_feeds(live: Live) -> None:
    for path in ("/api/daily_papers?date=2025-07-24", "/feeds/daily.atom", "/healthz"):
        response = httpx.get(f"{live.base_url}{path}", headers={"Origin": OTHER_SITE}, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] == "*", path
        assert "access-control-allow-credentials" not in response.headers, path
        assert "ETag" in response.headers["access-control-expose-headers"]


def test_pages_are_not_opened_to_other_origins(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/", headers={"Origin": OTHER_SITE}, timeout=10)

    assert "access-control-allow-origin" not in response.headers


def test_preflight_is_answered_for_the_read_api(live: Live) -> None:
    response = httpx.options(
        f"{live.base_url}/api/daily_papers",
        headers={
            "Origin": OTHER_SITE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization, If-None-Match",
        },
        timeout=10,
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "authorization, if-none-match"
    assert "access-control-allow-credentials" not in response.headers
    assert int(response.headers["access-control-max-age"]) > 0


def test_preflight_refuses_writes_to_feeds_and_unknown_headers(live: Live) -> None:
    post_feed = httpx.options(
        f"{live.base_url}/feeds/daily.atom",
        headers={"Origin": OTHER_SITE, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    odd_header = httpx.options(
        f"{live.base_url}/api/daily_papers",
        headers={
            "Origin": OTHER_SITE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Secret-Thing",
        },
        timeout=10,
    )

    assert post_feed.status_code == 403
    assert "access-control-allow-origin" not in post_feed.headers
    assert odd_header.status_code == 403


def test_a_cross_origin_request_never_carries_the_session_cookie(live: Live) -> None:
    """The cookie is dropped before the app: an echo of who we are shows nobody."""
    cookie_name = live.services.community.auth.cookie_name
    same_site = httpx.get(
        f"{live.base_url}/api/daily_papers?date=2025-07-24",
        headers={"Cookie": f"{cookie_name}=x"},
        timeout=10,
    )
    cross_site = httpx.get(
        f"{live.base_url}/api/daily_papers?date=2025-07-24",
        headers={"Cookie": f"{cookie_name}=x", "Origin": OTHER_SITE},
        timeout=10,
    )

    # With a cookie the answer is personal (private); without one (dropped) it is public.
    assert same_site.headers["cache-control"].startswith("private")
    assert cross_site.headers["cache-control"].startswith("public")


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/api/daily_papers?date=2026-08-21", "application/json"),
        ("/date/2026-08-21", "text/html"),
        ("/feeds/daily.atom", "application/atom+xml"),
    ],
)
def test_json_html_and_atom_are_gzipped_when_accepted(live: Live, path: str, media: str) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as client:
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        raw = client.build_request("GET", path, headers={"Accept-Encoding": "gzip"})
        wire = client.send(raw, stream=True)
        compressed = b"".join(wire.iter_raw())
        wire.close()

    assert plain.headers["content-type"].startswith(media)
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert len(compressed) < len(plain.content) / 2
    assert gzip.decompress(compressed)[:20] == plain.content[:20]


@pytest.mark.parametrize(
    "path", ["/api/daily_papers?date=2025-07-24", "/api/papers/2507.17744", "/feeds/daily.atom"]
)
def test_read_api_and_feeds_answer_304_to_a_matching_etag(live: Live, path: str) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as client:
        first = client.get(path)
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        listed = client.get(path, headers={"If-None-Match": f'"other", {etag}'})
        star = client.get(path, headers={"If-None-Match": "*"})
        stale = client.get(path, headers={"If-None-Match": '"stale"'})

    assert first.status_code == 200
    assert "max-age=" in first.headers["cache-control"]
    assert first.headers["cache-control"].startswith("public")
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert listed.status_code == 304
    assert star.status_code == 304
    assert stale.status_code == 200 and stale.content == first.content


def test_an_api_error_gets_no_validators(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/api/papers/2101.00001", timeout=10)

    assert response.status_code == 404
    assert "etag" not in response.headers


def test_feeds_send_last_modified_and_honour_if_modified_since(live: Live) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as client:
        first = client.get("/feeds/daily.atom")
        modified = first.headers["last-modified"]
        same = client.get("/feeds/daily.atom", headers={"If-Modified-Since": modified})
        older = client.get(
            "/feeds/daily.atom", headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}
        )

    assert modified.endswith(" GMT")
    assert same.status_code == 304
    assert same.headers["last-modified"] == modified
    assert older.status_code == 200


def test_daily_papers_link_to_the_next_and_previous_pages_absolutely(live: Live) -> None:
    url = f"{live.base_url}/api/daily_papers"
    first = httpx.get(url, params={"date": "2026-08-21", "limit": 5}, timeout=10)
    middle = httpx.get(first.links["next"]["url"], timeout=10)
    last = httpx.get(url, params={"date": "2026-08-21", "limit": 5, "p": 3}, timeout=10)

    assert first.headers["x-total-count"] == "17"
    assert first.links["next"]["url"].startswith(live.base_url + "/api/daily_papers?")
    assert "prev" not in first.links
    assert [i["paper"]["id"] for i in middle.json()] != [i["paper"]["id"] for i in first.json()]
    assert "date=2026-08-21" in middle.links["prev"]["url"] and "p=0" in middle.links["prev"]["url"]
    assert "next" not in last.links and len(last.json()) == 2


def test_a_program_asking_for_collections_json_gets_a_401_not_the_login_page(live: Live) -> None:
    as_json = httpx.get(
        f"{live.base_url}/collections", headers={"Accept": "application/json"}, timeout=10
    )
    browser = httpx.get(f"{live.base_url}/collections", headers={"Accept": "text/html"})

    assert as_json.status_code == 401
    assert as_json.json()["error"]["code"] == "unauthorized"
    assert browser.status_code == 303 and browser.headers["location"].startswith("/login")
