"""The app's cross-cutting parts: errors, body limit, security headers, no external hosts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from tests.web.conftest import MakeClient

PAGES = [
    "/",
    "/date/2026-08-20",
    "/date/2026-08-15",
    "/week/2026-W34",
    "/month/2026-08",
    "/trending",
    "/about",
    "/papers/2608.19880",
    "/papers/2601.00001",
    "/date/not-a-date",
    "/no/such/page",
]
TAG = re.compile(r"<(\w+)\b([^>]*)>")
URL_ATTR = re.compile(r'\b(src|href|action|srcset|poster|data)\s*=\s*"([^"]*)"', re.I)


def test_security_headers_on_every_response(demo_client: TestClient) -> None:
    for url in ["/", "/api/daily_papers", "/static/site.css", "/no/such/page", "/healthz"]:
        response = demo_client.get(url)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, url
        assert "http" not in csp  # no other host is allowed
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_other_hosts(demo_client: TestClient, url: str) -> None:
    page = demo_client.get(url).text

    for tag, attributes in TAG.findall(page):
        for attribute, value in URL_ATTR.findall(attributes):
            if value.startswith(("http://", "https://", "//")):
                # Only links a reader follows may point elsewhere, never things a page loads.
                assert tag.lower() == "a" and attribute.lower() == "href", (tag, value)
    # Scripts come from our own static files (progressive enhancement), never inline.
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S):
        assert re.search(r'\bsrc="/static/[^"/]+\.js"', attributes), attributes
        assert not body.strip()
    assert not re.search(r"\bstyle\s*=", page)  # the CSP forbids inline styles


def test_stylesheet_imports_nothing(demo_client: TestClient) -> None:
    css = demo_client.get("/static/site.css")
    assert css.status_code == 200
    assert "prefers-color-scheme: dark" in css.text
    assert "@import" not in css.text and "url(" not in css.text


def test_declared_oversized_body_is_refused_with_413(make_client: MakeClient) -> None:
    client, _ = make_client(max_request_body_bytes=1000)

    api = client.post("/api/daily_papers", content=b"x" * 1001)
    page = client.post("/", content=b"x" * 1001)

    assert api.status_code == 413
    assert api.json()["code"] == "payload_too_large"  # Hugging Face's route: HF's error shape
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"]


def _with_echo_route(client: TestClient) -> None:
    """A route that reads its body, as the later form and write-API routes will."""

    @client.app.post("/api/echo")  # type: ignore[attr-defined]
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}


def _chunks(total: int, size: int = 256) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b"y" * min(size, total - start)


def test_streamed_oversized_body_is_refused_with_413(make_client: MakeClient) -> None:
    client, _ = make_client(max_request_body_bytes=1000)
    _with_echo_route(client)

    small = client.post("/api/echo", content=_chunks(900))
    large = client.post("/api/echo", content=_chunks(5000))

    assert small.status_code == 200 and small.json() == {"bytes": 900}
    assert large.status_code == 413
    assert large.json()["error"]["code"] == "payload_too_large"


def test_unexpected_errors_are_a_500_without_a_traceback(make_client: MakeClient) -> None:
    client, _ = make_client(raise_server_exceptions=False)

    @client.app.get("/api/boom")  # type: ignore[attr-defined]
    def boom_api() -> None:
        raise RuntimeError("secret internals 42")

    @client.app.get("/boom")  # type: ignore[attr-defined]
    def boom_page() -> None:
        raise RuntimeError("secret internals 42")

    api = client.get("/api/boom")
    page = client.get("/boom")

    assert api.status_code == 500 and api.json()["error"]["code"] == "internal_error"
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    for response in (api, page):
        assert "secret internals" not in response.text
        assert "Traceback" not in response.text


def test_unknown_routes_are_404_in_the_callers_format(demo_client: TestClient) -> None:
    api = demo_client.get("/api/nothing-here")
    page = demo_client.get("/nothing-here")

    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text


def test_wrong_method_is_a_405_json_error_on_the_api(demo_client: TestClient) -> None:
    response = demo_client.delete("/api/daily_papers")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"  # HF's route: HF's error shape


def test_healthz(demo_client: TestClient) -> None:
    response = demo_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
