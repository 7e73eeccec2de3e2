"""Browser sessions and CSRF protection, for every page and form of the site.

`SessionMiddleware` runs on each request outside `/api/` and `/static/`:
- it loads the session the cookie names (with its user) into `request.state`;
- it refuses every POST, PUT, PATCH and DELETE whose CSRF token (form field `csrf_token`, or
  header `X-CSRF-Token`) does not match the session's: 403, before any route runs, so no
  route can forget the check. The JSON API is exempt because it authenticates with bearer
  tokens only and never reads the cookie; so are the paths app.py lists in `csrf_exempt`
  (routes authorised by a secret token in their URL, never by the cookie, such as RFC 8058
  one-click unsubscribes that mail providers post from their servers). An entry ending in
  `/` exempts every path under it, any other entry only that exact path;
- it sets the cookie of a session a route started (a logged-out visitor's first form) and
  marks responses to visitors with a session `Cache-Control: private`.

The token reaches a form through `web/pages.respond`, which calls `page_csrf_token` before
rendering: a page with forms for logged-out visitors (`forms=True`) starts their anonymous
session there, in the route, never while a template renders. Templates put it in a form
with `{{ csrf_field }}`.
"""

from __future__ import annotations

from collections.abc import Callable

from anyio import to_thread
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers import deps
from dailypapers.domain.community import Session, User

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_EXEMPT_PREFIXES = ("/api/", "/static/")
_STATE_SESSION = "dp_session"
_STATE_NEW_COOKIE = "dp_new_session_cookie"

ErrorResponder = Callable[[Request, int, str, str], Response]


# --- what routes and templates read ------------------------------------------------------
def current_session(request: Request) -> Session | None:
    return request.scope.get("state", {}).get(_STATE_SESSION)


def current_user(request: Request) -> User | None:
    session = current_session(request)
    return session.user if session else None


def ensure_session(request: Request) -> Session:
    """The visitor's session, starting an anonymous one (cookie set on the way out) if they
    have none, so a logged-out visitor's form has a CSRF token to carry."""
    session = current_session(request)
    if session is not None:
        return session
    raw, session = deps.auth(request).start_session(None)
    state = request.scope.setdefault("state", {})
    state[_STATE_SESSION] = session
    state[_STATE_NEW_COOKIE] = (raw, session)
    return session


def page_csrf_token(request: Request, *, start_session: bool) -> str | None:
    """The token a page's forms carry: the visitor's session's, starting an anonymous
    session when the page has forms for logged-out visitors (`start_session`); None for a
    page without forms seen by a visitor without a session (no row written for them)."""
    session = current_session(request)
    if session is None and start_session:
        session = ensure_session(request)
    return session.csrf_token if session else None


def set_session_cookie(request: Request, response: Response, raw: str, session: Session) -> None:
    auth = deps.auth(request)
    response.set_cookie(
        auth.cookie_name,
        raw,
        max_age=auth.session_max_age(session),
        path="/",
        secure=auth.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    # This response already carries the right cookie; the middleware must not add another.
    request.scope.setdefault("state", {}).pop(_STATE_NEW_COOKIE, None)
    request.scope["state"][_STATE_SESSION] = session


def clear_session_cookie(request: Request, response: Response) -> None:
    auth = deps.auth(request)
    response.delete_cookie(
        auth.cookie_name, path="/", secure=auth.cookie_secure, httponly=True, samesite="lax"
    )
    request.scope.setdefault("state", {}).pop(_STATE_NEW_COOKIE, None)


def _routes_to_a_handler(scope: Scope) -> bool:
    """Would a route run for this method and path? If not, the router answers 404 or 405 and
    nothing is done, so there is no form to check (PUT /healthz is a 405, not a 403)."""
    return any(route.matches(scope)[0] == Match.FULL for route in scope["app"].router.routes)


# --- the middleware ----------------------------------------------------------------------
class SessionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        error_response: ErrorResponder,
        csrf_exempt: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.error_response = error_response
        self.exempt_prefixes = tuple(p for p in csrf_exempt if p.endswith("/"))
        self.exempt_paths = frozenset(p for p in csrf_exempt if not p.endswith("/"))

    def _csrf_exempt(self, path: str) -> bool:
        return path in self.exempt_paths or path.startswith(self.exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(_EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        auth = deps.auth(Request(scope))
        state = scope.setdefault("state", {})
        raw = _cookie(scope, auth.cookie_name)
        session = await to_thread.run_sync(auth.session, raw) if raw else None
        if session is None and raw:  # logged out: a stateless anonymous session
            session = auth.anonymous_session(raw)
        state[_STATE_SESSION] = session

        if (
            scope["method"] in UNSAFE_METHODS
            and not self._csrf_exempt(path)
            and _routes_to_a_handler(scope)
        ):
            body = await _read_body(receive)
            token = await _submitted_token(scope, body)
            if not auth.csrf_ok(session, token):
                request = Request(scope)
                response = self.error_response(
                    request,
                    403,
                    "csrf_failed",
                    "This form has expired or did not come from this site. Go back, reload "
                    "the page and try again.",
                )
                await response(scope, _replay(body, receive), send)
                return
            receive = _replay(body, receive)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                new = state.pop(_STATE_NEW_COOKIE, None)
                if new is not None:
                    cookie = Response()
                    set_session_cookie(Request(scope), cookie, *new)
                    headers += [(k, v) for k, v in cookie.raw_headers if k == b"set-cookie"]
                if (state.get(_STATE_SESSION) or raw) and not any(
                    k.lower() == b"cache-control" for k, _ in headers
                ):
                    headers.append((b"cache-control", b"private, no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found:
                return found
    return None


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (the body-size limit outside us bounds it)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _submitted_token(scope: Scope, body: bytes) -> str | None:
    headers = {k.lower(): v for k, v in scope.get("headers", [])}
    if CSRF_HEADER.encode() in headers:
        return headers[CSRF_HEADER.encode()].decode("latin-1")
    content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    request = Request(scope, _replay(body, _no_more))
    try:
        form = await request.form()
    except Exception:  # an unparseable body carries no token
        return None
    value = form.get(CSRF_FIELD)
    await form.close()
    return value if isinstance(value, str) else None


async def _no_more() -> Message:
    return {"type": "http.disconnect"}
