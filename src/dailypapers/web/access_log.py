"""Access lines for structured logs: one record per request with its id, status and time.

Added by the app when `log_format = "json"` (cli/logs.py formats the records). Each request
gets an id: the proxy's `X-Request-ID` when it sends a sane one (nginx: `proxy_set_header
X-Request-ID $request_id;`), else a new random one. It is sent back in `X-Request-ID`, and
every record logged while the request is answered (an unexpected error's traceback, a
warning from a store) carries it, through a context variable that follows the request into
the thread pool.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "dailypapers.access"
# The fields an access record adds (kept as their own types in JSON: status is a number).
ACCESS_FIELDS = frozenset({"method", "path", "status", "duration_ms", "client"})
_REQUEST_ID = contextvars.ContextVar[str | None]("request_id", default=None)
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = logging.getLogger(ACCESS_LOGGER)


def current_request_id() -> str | None:
    """The id of the request being answered in this context, if any."""
    return _REQUEST_ID.get()


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = _REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if scope.get("query_string"):
                path += "?" + scope["query_string"].decode("latin-1")
            client = scope.get("client")
            log.info(
                "%s %s %d",
                scope["method"],
                path,
                status,
                extra={
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "client": client[0] if client else None,
                },
            )
            _REQUEST_ID.reset(token)
