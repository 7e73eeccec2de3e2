"""The page cache for anonymous visitors: hits, never stale after a write, 304s, bypasses."""

from __future__ import annotations

import asyncio
import json

from dailypapers.web.page_cache import PageCache, PageCacheMiddleware
from tests.web.conftest import MakeClient
from tests.web.support import api_fixture

DAY = "2025-07-24"


def _upvotes(response, arxiv_id: str) -> int:
    rows = response.json()
    return next(r["paper"]["upvotes"] for r in rows if r["paper"]["id"] == arxiv_id)


def test_a_second_anonymous_visit_is_served_from_the_cache(make_client: MakeClient) -> None:
    client, _ = make_client(api_fixture(DAY))
    first = client.get(f"/date/{DAY}")
    again = client.get(f"/date/{DAY}")
    assert (first.headers["x-page-cache"], again.headers["x-page-cache"]) == ("miss", "hit")
    assert again.text == first.text
    assert again.headers["etag"] == first.headers["etag"]
    # Another route, other parameters, another representation: separate entries.
    api = client.get("/api/daily_papers", params={"date": DAY})
    assert api.headers["x-page-cache"] == "miss"
    assert client.get("/api/daily_papers", params={"date": DAY}).json() == api.json()


def test_a_vote_shows_on_the_next_request(make_client: MakeClient) -> None:
    client, services = make_client(api_fixture(DAY))
    before = client.get("/api/daily_papers", params={"date": DAY})
    arxiv_id = before.json()[0]["paper"]["id"]
    assert client.get("/api/daily_papers", params={"date": DAY}).headers["x-page-cache"] == "hit"

    voter = services.community.accounts.create_user(
        "alice", "alice@example.org", "correct horse battery", verified=True
    )
    services.community.votes.set_vote(voter, arxiv_id, True)

    after = client.get("/api/daily_papers", params={"date": DAY})
    assert after.headers["x-page-cache"] == "miss"  # the write made the entry stale
    assert _upvotes(after, arxiv_id) == _upvotes(before, arxiv_id) + 1


def test_an_import_shows_on_the_next_request(make_client: MakeClient, tmp_path) -> None:
    client, services = make_client(api_fixture(DAY))
    assert "2407.99999" not in client.get(f"/date/{DAY}").text
    row = json.loads(api_fixture(DAY).read_text())[0]
    title = "A paper imported later"
    row["paper"] = {**row["paper"], "id": "2407.99999", "title": title, "upvotes": 10_000}
    row["title"] = title
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps(row) + "\n")
    services.imports.import_file(extra, "hf-daily")
    page = client.get(f"/date/{DAY}")
    assert page.headers["x-page-cache"] == "miss"
    assert "A paper imported later" in page.text


def test_a_conditional_get_is_answered_304_from_the_cache(make_client: MakeClient) -> None:
    client, services = make_client(api_fixture(DAY))
    etag = client.get(f"/date/{DAY}").headers["etag"]
    not_modified = client.get(f"/date/{DAY}", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert (not_modified.headers["etag"], not_modified.headers["x-page-cache"]) == (etag, "hit")
    stats = client.get("/metrics").text
    assert "dailypapers_page_cache_not_modified_total" in stats
    # After a write that changes the page the old ETag no longer matches: it comes whole.
    voter = services.community.accounts.create_user(
        "bob", "bob@example.org", "correct horse battery", verified=True
    )
    arxiv_id = client.get("/api/daily_papers", params={"date": DAY}).json()[0]["paper"]["id"]
    services.community.votes.set_vote(voter, arxiv_id, True)
    fresh = client.get(f"/date/{DAY}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["x-page-cache"] == "miss"


def test_entries_keep_the_compressed_bytes_so_a_hit_is_not_compressed_again(
    make_client: MakeClient,
) -> None:
    client, _ = make_client(api_fixture(DAY))
    gzip_ = {"Accept-Encoding": "gzip"}
    miss = client.get(f"/date/{DAY}", headers=gzip_)
    (cache,) = [
        m.kwargs["cache"] for m in client.app.user_middleware if m.cls is PageCacheMiddleware
    ]
    (entry,) = cache.entries.values()
    assert entry.body[:2] == b"\x1f\x8b"  # gzip's magic: kept compressed
    assert (b"content-encoding", b"gzip") in entry.headers
    hit = client.get(f"/date/{DAY}", headers=gzip_)
    assert (miss.headers["x-page-cache"], hit.headers["x-page-cache"]) == ("miss", "hit")
    assert hit.headers["content-encoding"] == "gzip" and hit.text == miss.text
    # Another encoding is another entry, sent as it is.
    plain = client.get(f"/date/{DAY}", headers={"Accept-Encoding": "identity"})
    assert plain.headers["x-page-cache"] == "miss" and "content-encoding" not in plain.headers
    assert plain.text == miss.text


def test_a_hit_answers_if_modified_since_like_the_app(make_client: MakeClient) -> None:
    client, _ = make_client(api_fixture(DAY))
    first = client.get("/feeds/daily.atom")
    since = {"If-Modified-Since": first.headers["last-modified"]}
    again = client.get("/feeds/daily.atom", headers=since)
    assert (again.status_code, again.headers["x-page-cache"]) == (304, "hit")


def test_visitors_with_a_session_or_a_token_are_never_served_cached_pages(
    make_client: MakeClient,
) -> None:
    client, services = make_client(api_fixture(DAY))
    client.get(f"/date/{DAY}")
    cookie = services.community.auth.cookie_name
    client.cookies.set(cookie, "whatever")
    personal = client.get(f"/date/{DAY}")
    client.cookies.clear()
    assert personal.headers["x-page-cache"] == "bypass"
    token = client.get("/api/daily_papers", headers={"Authorization": "Bearer nope"})
    assert token.headers["x-page-cache"] == "bypass"


def test_a_response_cut_off_when_its_client_left_is_not_kept() -> None:
    # A file response stops after its start message when the browser cancels the request
    # (chromium does that to /favicon.ico as it leaves a page). Keeping that half answer
    # served every later visitor a body shorter than its Content-Length.
    body = b"\x00\x00\x01\x00" * 64
    calls = {"n": 0}

    async def favicon(scope, receive, send) -> None:
        calls["n"] += 1
        headers = [(b"content-type", b"image/x-icon"), (b"content-length", b"256")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if calls["n"] > 1:  # the first client is gone before the body
            await send({"type": "http.response.body", "body": body})

    middleware = PageCacheMiddleware(
        favicon, cache=PageCache(10, 10_000, 60.0), version=lambda: 1, cookie_name="s"
    )

    async def get() -> tuple[bytes, bytes]:
        sent: list[dict] = []

        async def send(message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/favicon.ico", "headers": []}
        await middleware(scope, None, send)
        tag = dict(sent[0]["headers"])[b"x-page-cache"]
        return tag, b"".join(m.get("body", b"") for m in sent[1:])

    async def visits() -> list[tuple[bytes, bytes]]:
        return [await get(), await get(), await get()]

    cut, whole, cached = asyncio.run(visits())
    assert cut == (b"bypass", b"")
    assert whole == (b"miss", body)
    assert cached == (b"hit", body)


def test_visitors_who_ask_for_a_page_while_it_renders_wait_for_that_rendering() -> None:
    # After every write the popular pages all miss at once; each concurrent visitor of the
    # same page used to render it again.
    renders = {"n": 0}

    async def slow_page(scope, receive, send) -> None:
        renders["n"] += 1
        await asyncio.sleep(0.2)  # the rendering, long enough for the others to arrive
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the day's papers"})

    middleware = PageCacheMiddleware(
        slow_page, cache=PageCache(10, 10_000, 60.0), version=lambda: 1, cookie_name="s"
    )

    async def get(path: str) -> tuple[bytes, bytes]:
        sent: list[dict] = []

        async def send(message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "headers": []}
        await middleware(scope, None, send)
        return dict(sent[0]["headers"])[b"x-page-cache"], sent[1]["body"]

    async def visitors() -> list[tuple[bytes, bytes]]:
        return await asyncio.gather(*(get("/date/x") for _ in range(5)), get("/date/y"))

    answers = asyncio.run(visitors())
    assert renders["n"] == 2  # once for /date/x, once for /date/y
    assert sorted(tag for tag, _ in answers[:5]) == [b"hit"] * 4 + [b"miss"]
    assert {body for _, body in answers} == {b"the day's papers"}
