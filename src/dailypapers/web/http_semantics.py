"""HTTP as clients other than our own pages expect it: HEAD, CORS, validators and 304s.

Three small ASGI middlewares, each added to the app in one line (compression is Starlette's
`GZipMiddleware`, also one line):

- `HeadAsGet`: FastAPI routes answer only the methods they declare, so HEAD was 405 on every
  route, `/healthz` included, which breaks uptime monitors and link checkers. A HEAD is run
  as a GET and its body dropped; the headers (Content-Length included) are the GET's.
- `Cors`: web apps on other origins may read the read-only API, the feeds and the Markdown
  papers (`cors_allowed_origins`, default any). Preflights are answered here. Credentials are
  never allowed: no `Access-Control-Allow-Credentials`, and a request from another origin
  reaches the app with its Cookie header removed, so nothing cross-origin is ever
  authenticated by a session (the write API takes bearer tokens only, which a page must send
  on purpose).
- `ConditionalGet`: every 200 answer of a GET on the read API and the feeds gets an ETag
  (weak: the same entity may go out gzipped or not) and a Cache-Control; `If-None-Match`
  (a list, or `*`) and `If-Modified-Since` (against the Last-Modified a route set, as the
  feeds do) turn it into a 304. Doing this in one place means no route compares validators
  itself. Answers are at most `max_page_size` papers, so buffering one to hash it is cheap.
"""

from __future__ import annotations

import hashlib
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths other sites' pages may read: the JSON API, the feeds, the OpenAPI document, health.
CORS_PREFIXES = ("/api/", "/feeds/", "/healthz", "/openapi.json")
CONDITIONAL_PREFIXES = ("/api/", "/feeds/")
SAFE_METHODS = ("GET", "HEAD")
# The write API authenticates with `Authorization: Bearer`, never with cookies, so a page on
# another origin may call it with a token it holds.
API_WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ALLOWED_REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-language",
        "content-language",
        "content-type",
        "authorization",
        "if-none-match",
        "if-modified-since",
        "cache-control",
        "x-requested-with",
    }
)
EXPOSED_HEADERS = "ETag, Last-Modified, Link, X-Total-Count, Retry-After"
# Headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5).
_NOT_MODIFIED_KEEP = ("etag", "cache-control", "last-modified", "vary", "expires")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _is_cors_path(path: str) -> bool:
    return path.startswith(CORS_PREFIXES) or (path.startswith("/papers/") and path.endswith(".md"))


class HeadAsGet:
    """Answer HEAD on every GET route: run the GET, send its headers, drop its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class Cors:
    """Cross-origin reads of the API and feeds; no credentials cross-origin, ever."""

    def __init__(
        self, app: ASGIApp, *, allowed_origins: list[str], own_url: str, max_age_s: int
    ) -> None:
        self.app = app
        self.any_origin = "*" in allowed_origins
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins if o != "*"}
        self.own_origin = _origin_of(own_url)
        self.max_age_s = max_age_s

    def _allow_origin(self, origin: str) -> str | None:
        """The Access-Control-Allow-Origin value for `origin`, or None if it may not read."""
        if self.any_origin:
            return "*"
        return origin if origin.lower() in self.allowed else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        path = scope["path"]
        if not origin or origin.lower() == self.own_origin or not _is_cors_path(path):
            await self.app(scope, receive, send)
            return

        allow = self._allow_origin(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, headers, allow)
            return

        # Another origin's request never carries our session into the app.
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"cookie"]}
        if allow is None:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["access-control-allow-origin"] = allow
                out["access-control-expose-headers"] = EXPOSED_HEADERS
                if allow != "*":
                    out.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers, allow: str | None
    ) -> None:
        path = scope["path"]
        methods = SAFE_METHODS + (API_WRITE_METHODS if path.startswith("/api/") else ())
        method = headers["access-control-request-method"].strip().upper()
        requested = {
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        }
        refused = None
        if allow is None:
            refused = "this origin may not read this site's API"
        elif method not in methods:
            refused = f"{method} is not allowed cross-origin on {path}"
        elif requested - ALLOWED_REQUEST_HEADERS:
            refused = (
                f"header(s) not allowed: {', '.join(sorted(requested - ALLOWED_REQUEST_HEADERS))}"
            )
        response: Response
        if refused:
            response = PlainTextResponse(refused, status_code=403)
        else:
            assert allow is not None
            response = Response(status_code=204)
            response.headers["access-control-allow-origin"] = allow
            response.headers["access-control-allow-methods"] = ", ".join(methods)
            if requested:
                response.headers["access-control-allow-headers"] = ", ".join(sorted(requested))
            response.headers["access-control-max-age"] = str(self.max_age_s)
        response.headers["vary"] = (
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        )
        await response(scope, receive, send)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match's weak comparison: `*`, or any listed tag equal ignoring `W/`."""
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in header.split(","))


def _not_modified_since(header: str, last_modified: str) -> bool:
    try:
        since = parsedate_to_datetime(header)
        modified = parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None or modified.tzinfo is None:
        return False
    return modified <= since


def not_modified(request: Headers, response: Headers) -> bool:
    """Whether a conditional GET gets 304 for a response with these validators (also the
    page cache's rule for its entries, web/page_cache.py)."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:  # takes precedence over If-Modified-Since
        return "etag" in response and _etag_matches(if_none_match, response["etag"])
    since, modified = request.get("if-modified-since"), response.get("last-modified")
    return bool(since and modified and _not_modified_since(since, modified))


class ConditionalGet:
    """ETag, Cache-Control and 304 for GETs of the read API and the feeds."""

    def __init__(self, app: ASGIApp, *, max_age_s: int) -> None:
        self.app = app
        self.max_age_s = max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(CONDITIONAL_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if start is None:
            return
        body = b"".join(chunks)
        if start["status"] == 200:
            start = self._with_validators(scope, start, body)
            if not_modified(Headers(scope=scope), MutableHeaders(scope=start)):
                start, body = self._not_modified_start(start), b""
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _with_validators(self, scope: Scope, start: Message, body: bytes) -> Message:
        start = {**start, "headers": list(start.get("headers", []))}
        out = MutableHeaders(scope=start)
        if "etag" not in out:
            out["etag"] = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if "cache-control" not in out:
            request = Headers(scope=scope)
            personal = "authorization" in request or "cookie" in request
            out["cache-control"] = (
                "private, no-cache" if personal else f"public, max-age={self.max_age_s}"
            )
        return start

    @staticmethod
    def _not_modified_start(start: Message) -> Message:
        kept = [(k, v) for k, v in start["headers"] if k.lower().decode() in _NOT_MODIFIED_KEEP]
        return {"type": "http.response.start", "status": 304, "headers": kept}
