"""The ASGI application: routers, static files, the one exception translator, limits, headers.

`create_app(services)` takes what `bootstrap` built and wires the web pages (`web`) and the
JSON API (`api`) onto it. Routes raise `DailyPapersError`s; `_translate` alone turns them,
validation errors, HTTP errors and unexpected exceptions into an HTML page or a JSON body
(`{"error": {"code", "message"}}`; on Hugging Face's routes HF's `{"error": "message"}`, see
api/hf_shape.py), so no route formats an error itself.

Run it with `dailypapers serve`.
"""

from __future__ import annotations

import logging
import time
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.api.hf_routes import router as api_router
from dailypapers.api.hf_shape import hf_error, is_hf_route
from dailypapers.api.openapi_errors import document_real_error_bodies
from dailypapers.api.recommendation_routes import router as api_recommendation_router
from dailypapers.api.search_routes import router as api_search_router
from dailypapers.api.write_routes import router as api_write_router
from dailypapers.config import Settings
from dailypapers.errors import DailyPapersError, DatabaseUnavailable, PayloadTooLarge
from dailypapers.services.bootstrap import Services
from dailypapers.web.access_log import AccessLogMiddleware
from dailypapers.web.account_routes import router as account_router
from dailypapers.web.api_docs import router as api_docs_router
from dailypapers.web.community_routes import router as community_router
from dailypapers.web.daily_pages import router as web_router
from dailypapers.web.feed_routes import router as feed_router
from dailypapers.web.feedback_link_routes import router as feedback_link_router
from dailypapers.web.http_semantics import ConditionalGet, Cors, HeadAsGet
from dailypapers.web.metrics import CONTENT_TYPE, MetricsMiddleware, RequestMetrics, exposition
from dailypapers.web.negotiation import wants_json
from dailypapers.web.page_cache import PageCache, PageCacheMiddleware
from dailypapers.web.pages import error_page
from dailypapers.web.paper_markdown import MarkdownNegotiation
from dailypapers.web.paper_markdown import router as paper_markdown_router
from dailypapers.web.recommendation_routes import router as recommendation_router
from dailypapers.web.rendering import STATIC_DIR
from dailypapers.web.search_routes import router as search_router
from dailypapers.web.sessions import SessionMiddleware
from dailypapers.web.subscription_routes import router as subscription_router
from dailypapers.web.view_cache import ViewCache

log = logging.getLogger(__name__)

# The site loads nothing from other hosts: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}

# Unsafe requests that need no CSRF token (web/sessions.py; `/api/` never needs one): routes
# authorised by the secret token in their URL rather than by the session cookie, and the
# one-click unsubscribe that mail providers POST from their servers (RFC 8058).
CSRF_EXEMPT_PATHS = (
    "/unsubscribe/",
    "/subscriptions/",
    "/subscribe/confirm/",
    "/digest/feedback/",
)

_JSON_PATHS = ("/api/", "/healthz", "/readyz", "/openapi.json")
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _package_version() -> str:
    try:
        return version("dailypapers")
    except PackageNotFoundError:  # running from a source tree that isn't installed
        return "0"


# --- the exception translator ------------------------------------------------------------
def _is_json_request(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith(_JSON_PATHS) or wants_json(request)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """The one place an error becomes a response: JSON for the API and JSON twins, else HTML."""
    if _is_json_request(request):
        body = (
            hf_error(code, message)
            if is_hf_route(request.url.path)
            else {"error": {"code": code, "message": message}}
        )
        response: Response = JSONResponse(body, status_code=status)
    elif request.url.path.startswith("/feeds/"):  # feed readers show text, not a page
        response = PlainTextResponse(f"{status}: {message}\n", status_code=status)
    else:
        try:
            response = error_page(request, status, code, message)
        except Exception:  # a broken template must not hide the original error
            log.exception("rendering the error page failed")
            response = PlainTextResponse(f"{status} {message}", status_code=status)
    response.headers.update(headers or {})
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return "; ".join(parts) or "invalid request"


async def _on_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DailyPapersError)
    if exc.status >= 500:
        log.error("%s: %s", exc.code, exc.message)
    headers = None
    if isinstance(exc, DatabaseUnavailable):  # a fault that passes: tell clients when to retry
        headers = {"retry-after": str(exc.retry_after_s)}
    return error_response(request, exc.status, exc.code, exc.message, headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    message = _validation_message(exc)
    if _is_json_request(request):
        return error_response(request, 422, "validation_error", message)
    return error_response(request, 400, "bad_request", message)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = f"there is no page at {request.url.path}"
    return error_response(request, exc.status_code, code, message, dict(exc.headers or {}))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # The traceback goes to the log, never into the response.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal_error", "Something went wrong on our side; it has been logged."
    )


# --- middleware --------------------------------------------------------------------------
class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413.

    A declared Content-Length over the limit is refused before the app runs; a streamed
    (chunked) body is counted as the app reads it, and reading past the limit raises
    `PayloadTooLarge`, which the translator answers.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit():
                await self._refuse(
                    scope,
                    receive,
                    send,
                    400,
                    "bad_request",
                    "Content-Length must be a whole number of bytes",
                )
                return
            if int(text) > self.max_bytes:
                await self._refuse(
                    scope, receive, send, 413, PayloadTooLarge.code, self._too_large()
                )
                return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._too_large())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLarge as exc:  # raised outside the routes' exception handling
            if started:
                raise
            await self._refuse(scope, receive, send, 413, exc.code, exc.message)

    def _too_large(self) -> str:
        return f"request body is larger than {self.max_bytes:,} bytes"

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
    ) -> None:
        request = Request(scope, receive)
        response = error_response(request, status, code, message, {"connection": "close"})
        await response(scope, receive, send)


class ResponseHeadersMiddleware:
    """Add the CSP and friends to every response (that doesn't set its own), and, when the
    `server_timing` setting asks for it, a `Server-Timing: app;dur=<ms>` header: the time the
    app took to produce the response, which the benchmarks read and browsers' dev tools show.
    Off by default: it tells anyone exactly how long each answer took (whether an address
    has an account, say)."""

    def __init__(self, app: ASGIApp, *, timing: bool = False) -> None:
        self.app = app
        self.timing = timing
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if self.timing:
                    elapsed_ms = (time.perf_counter() - started) * 1000
                    extra.append((b"server-timing", f"app;dur={elapsed_ms:.2f}".encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- the server ----------------------------------------------------------------------------
def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn options that follow the settings: forwarded headers are believed only from
    `trusted_proxies` (uvicorn's own default believes anyone on 127.0.0.1, so a local client
    could claim any address and get around the per-client login and mail limits)."""
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


# --- the app -----------------------------------------------------------------------------
def create_app(services: Services) -> FastAPI:
    settings = services.settings
    app = FastAPI(
        title=f"{settings.site_name} API",
        version=_package_version(),
        description="Hugging Face-compatible JSON API of a self-hosted Daily Papers site.",
        # FastAPI's Swagger UI and ReDoc load their code from a CDN, which the CSP forbids;
        # web/api_docs.py serves /docs from this site instead.
        docs_url=None,
        redoc_url=None,
        exception_handlers={
            DailyPapersError: _on_app_error,
            RequestValidationError: _on_validation_error,
            StarletteHTTPException: _on_http_error,
            Exception: _on_unexpected,
        },
    )
    app.state.services = services
    document_real_error_bodies(app)
    metrics = RequestMetrics()
    page_cache = PageCache.from_settings(settings.web) if settings.page_cache_enabled else None
    # The viewer-independent part of the pages, for logged-in views (web/view_cache.py).
    app.state.view_cache = ViewCache.from_settings(settings.web) if page_cache else None

    @app.get("/healthz", summary="Liveness check: the process is alive", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Readiness check: the database answers", tags=["meta"])
    def readyz() -> Response:
        reason = services.unready_reason()
        if reason is None:
            return JSONResponse({"status": "ready", "database": "ok"})
        retry_after = str(settings.db_unavailable_retry_after_s)
        return JSONResponse(
            {"status": "unavailable", "database": reason},
            status_code=503,
            headers={"retry-after": retry_after},
        )

    @app.get("/metrics", summary="Prometheus metrics", tags=["meta"], include_in_schema=False)
    def prometheus_metrics() -> Response:
        cache = {**page_cache.stats(), **app.state.view_cache.stats()} if page_cache else None
        body = exposition(metrics, services.operations.snapshot(), cache)
        return Response(body, media_type=CONTENT_TYPE)

    # Browsers ask every site for /favicon.ico; answer from our origin (no 404 per page).
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "favicon.ico",
            media_type="image/x-icon",
            headers={"Cache-Control": "public, max-age=604800"},
        )

    # Community routers first: their /api/papers/{id}/comments and /papers/{id}/... paths
    # would otherwise be taken by the `{arxiv_id:path}` routes of the paper pages.
    app.include_router(api_write_router)
    app.include_router(account_router)
    app.include_router(community_router)
    app.include_router(recommendation_router)
    app.include_router(api_recommendation_router)
    app.include_router(api_search_router)  # before /api/papers/{arxiv_id:path}
    app.include_router(api_router)
    app.include_router(search_router)
    app.include_router(paper_markdown_router)  # before /papers/{arxiv_id:path}
    app.include_router(web_router)
    app.include_router(feed_router)
    app.include_router(subscription_router)
    app.include_router(feedback_link_router)
    app.include_router(api_docs_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Sessions + CSRF inside the body limit, so the body it reads for the token is bounded.
    app.add_middleware(
        SessionMiddleware, error_response=error_response, csrf_exempt=CSRF_EXEMPT_PATHS
    )
    # Added last = outermost: the headers also land on 413s refused before routing.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(MarkdownNegotiation)
    app.add_middleware(ConditionalGet, max_age_s=settings.api_cache_max_age_s)
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_bytes, compresslevel=6)
    if page_cache is not None:
        # Outside sessions (a hit touches neither them nor a route) and outside compression:
        # entries keep the compressed bytes (Accept-Encoding is in the key), so a hit is not
        # compressed again (5-10 ms for a day page here). Inside CORS, whose headers follow
        # the request's Origin, which the key doesn't hold.
        app.add_middleware(
            PageCacheMiddleware,
            cache=page_cache,
            version=services.data_version.current,
            cookie_name=services.community.auth.cookie_name,
        )
    app.add_middleware(
        Cors,
        allowed_origins=settings.cors_allowed_origins,
        own_url=settings.base_url,
        max_age_s=settings.cors_max_age_s,
    )
    app.add_middleware(HeadAsGet)  # outside compression: a HEAD's length is its GET's
    app.add_middleware(ResponseHeadersMiddleware, timing=settings.server_timing)
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: times everything
    if settings.log_format == "json":  # structured access lines with a request id
        app.add_middleware(AccessLogMiddleware)
    return app
