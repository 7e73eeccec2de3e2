"""A page cache for anonymous visitors, keyed on the data version: fast and never stale.

Most traffic is anonymous reads of the same few pages (today, trending, a paper, the daily
API). `PageCacheMiddleware` keeps their rendered responses in this process's memory, keyed by
method, host, path, the sorted query string and the headers a response can depend on (Accept,
Accept-Encoding), and valid only while `data_version` (storage/data_version.py: one row that
triggers bump in the transaction of every visible write) is unchanged. So a vote, a comment or
an import shows on the very next request, in every process, and nothing stale is served.
Reading the version costs one primary-key read per request, instead of rendering a page.

- Conditional GETs: each entry has an ETag (the response's own, or a hash of the body); an
  `If-None-Match` that matches a valid entry (or, without one, an `If-Modified-Since` not
  older than its Last-Modified) is answered 304 without running the app.
- Entries keep the response as compression left it (the middleware sits outside gzip, and
  Accept-Encoding is in the key), so a hit is not compressed again.
- Only anonymous GETs are cached: a request with the session cookie or an Authorization
  header, and a response that sets a cookie, says `private`/`no-store`, or isn't a 200, pass
  through untouched (logged-in views show the viewer's own state).
- Time passes without writes (the newest day, trending scores): entries also expire after
  `page_cache_ttl_s`. Bounded by `page_cache_max_entries` (least recently used goes first) and
  `page_cache_max_entry_bytes` (larger responses are streamed, not kept).
- One rendering per miss: while a page is being rendered for one visitor, others asking
  for the same page at the same version wait for it and get the kept copy (after every
  write all the popular pages miss at once; twenty visitors of one page used to render it
  twenty times over). If that answer can't be kept, each renders its own.
- `X-Page-Cache: hit | miss | bypass` says what happened; `/metrics` counts it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from anyio import to_thread
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.config import WebSettings
from dailypapers.errors import DailyPapersError
from dailypapers.web.http_semantics import not_modified
from dailypapers.web.versioned_lru import VersionedLru

_VARY_HEADERS = (b"accept", b"accept-encoding")
_KEEP_ON_304 = {b"etag", b"cache-control", b"vary", b"content-location", b"last-modified"}
_EXCLUDED = ("/static/", "/healthz", "/readyz", "/metrics")
_NOT_KEPT = {b"x-view-cache"}  # says how one rendering went (web/view_cache.py), not a replay


@dataclass(slots=True)
class _Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    route: str | None


@dataclass
class PageCache:
    """The entries and counters of one process (shared by the middleware and /metrics)."""

    max_entries: int
    max_entry_bytes: int
    ttl_s: float
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict[str, int] = field(
        default_factory=lambda: {"hits": 0, "misses": 0, "not_modified": 0, "bypassed": 0}
    )

    def __post_init__(self) -> None:
        self.entries: VersionedLru[_Entry] = VersionedLru(self.max_entries, self.ttl_s, self.clock)

    @classmethod
    def from_settings(cls, settings: WebSettings) -> PageCache:
        return cls(
            settings.page_cache_max_entries,
            settings.page_cache_max_entry_bytes,
            settings.page_cache_ttl_s,
        )

    def get(self, key: tuple, version: int) -> _Entry | None:
        return self.entries.get(key, version)

    def put(self, key: tuple, version: int, entry: _Entry) -> None:
        self.entries.put(key, version, entry)

    def count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    def stats(self) -> dict[str, int]:
        with self._lock:
            counts = dict(self.counts)
        return {**counts, "entries": len(self.entries)}


class PageCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        cache: PageCache,
        version: Callable[[], int],
        cookie_name: str,
    ) -> None:
        self.app = app
        self.cache = cache
        self.version = version
        self.cookie_name = cookie_name
        # The misses being rendered now in this process (its one event loop): a request for
        # the same page and version waits for that one instead of rendering it again.
        self._flights: dict[tuple, anyio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self._personal(scope):
            if scope["type"] == "http":
                self.cache.count("bypassed")
            await self.app(scope, receive, _tagged(send, b"bypass"))
            return
        try:
            version = await to_thread.run_sync(self.version)
        except DailyPapersError:  # the database is away: the app answers that (503)
            await self.app(scope, receive, _tagged(send, b"bypass"))
            return
        key = _key(scope)
        entry = self.cache.get(key, version)
        flight = self._flights.get((key, version)) if entry is None else None
        if flight is not None:  # this page is being rendered for someone else: wait for it
            await flight.wait()
            entry = self.cache.get(key, version)
        if entry is not None:
            self.cache.count("hits")
            if entry.route:
                scope["page_cache_route"] = entry.route
            await self._replay(scope, send, entry, b"hit")
            return
        self.cache.count("misses")
        if flight is not None:  # that answer wasn't kept (a cookie, an error): render ours
            await self._render_and_keep(scope, receive, send, key, version)
            return
        self._flights[(key, version)] = done = anyio.Event()
        try:
            await self._render_and_keep(scope, receive, send, key, version)
        finally:
            del self._flights[(key, version)]
            done.set()

    def _personal(self, scope: Scope) -> bool:
        if scope["path"].startswith(_EXCLUDED):
            return True
        for name, value in scope["headers"]:
            if name == b"authorization":
                return True
            if name == b"cookie" and self.cookie_name in cookie_parser(value.decode("latin-1")):
                return True
        return False

    async def _replay(self, scope: Scope, send: Send, entry: _Entry, tag: bytes) -> None:
        if not_modified(Headers(scope=scope), Headers(raw=entry.headers)):
            self.cache.count("not_modified")
            headers = [(k, v) for k, v in entry.headers if k in _KEEP_ON_304]
            await send(
                {"type": "http.response.start", "status": 304, "headers": [*headers, _tag(tag)]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {"type": "http.response.start", "status": 200, "headers": [*entry.headers, _tag(tag)]}
        )
        await send({"type": "http.response.body", "body": entry.body})

    async def _render_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: tuple, version: int
    ) -> None:
        start: Message | None = None
        body = bytearray()
        streaming = False
        complete = False

        async def capture(message: Message) -> None:
            nonlocal start, streaming, complete
            if streaming:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                complete = not message.get("more_body", False)
                if len(body) > self.cache.max_entry_bytes and message.get("more_body", False):
                    streaming = True  # too big to keep: pass it on as it comes
                    assert start is not None
                    await send(_with_tag(start, b"bypass"))
                    await send(
                        {"type": "http.response.body", "body": bytes(body), "more_body": True}
                    )
            else:
                await send(message)

        await self.app(scope, receive, capture)
        if streaming or start is None:
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k not in _NOT_KEPT]
        if not complete:
            # The app stopped before its last body part: its client went away (a file
            # response stops sending when the browser cancels a request). Keeping this
            # would answer every later visitor with a cut-off body.
            await send(_with_tag(start, b"bypass"))
            if body:
                await send({"type": "http.response.body", "body": bytes(body), "more_body": True})
            return
        if not _cacheable(start["status"], headers, len(body), self.cache.max_entry_bytes):
            await send(_with_tag(start, b"bypass"))
            await send({"type": "http.response.body", "body": bytes(body)})
            return
        etag = next((v for k, v in headers if k == b"etag"), None)
        if etag is None:
            etag = b'W/"' + hashlib.blake2b(bytes(body), digest_size=12).hexdigest().encode() + b'"'
            headers.append((b"etag", etag))
        route = getattr(scope.get("route"), "path", None)
        entry = _Entry(headers, bytes(body), etag, route)
        self.cache.put(key, version, entry)
        await self._replay(scope, send, entry, b"miss")


def _key(scope: Scope) -> tuple:
    headers = dict(scope["headers"])
    query = b"&".join(sorted(scope.get("query_string", b"").split(b"&")))
    vary = tuple(headers.get(name, b"") for name in _VARY_HEADERS)
    return (headers.get(b"host", b""), scope["path"], query, vary)


def _cacheable(status: int, headers: list[tuple[bytes, bytes]], size: int, limit: int) -> bool:
    if status != 200 or size > limit:
        return False
    for name, value in headers:
        if name == b"set-cookie":
            return False
        if name == b"cache-control" and (b"private" in value or b"no-store" in value):
            return False
    return True


def _tag(tag: bytes) -> tuple[bytes, bytes]:
    return (b"x-page-cache", tag)


def _with_tag(start: Message, tag: bytes) -> Message:
    return {**start, "headers": [*start.get("headers", []), _tag(tag)]}


def _tagged(send: Send, tag: bytes) -> Send:
    async def tagged_send(message: Message) -> None:
        await send(_with_tag(message, tag) if message["type"] == "http.response.start" else message)

    return tagged_send
