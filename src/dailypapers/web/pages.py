"""How every page answers: its view model rendered as HTML, or the same dict as JSON.

Routes assemble, presenters shape, templates only render. A page route loads everything its
page shows through the services, has the presenters shape it into one view model (a plain
dict), and calls `respond`, the one place that chooses between the page and its JSON twin
(`?format=json`, or `Accept: application/json`; see `negotiation`). Both carry the same dict,
plus `viewer` (who is logged in: the header shows it), so the twin holds everything the page
shows; `tests/web/test_json_twins.py` checks it on every page.

Before rendering, `respond` also prepares what the templates need from the request: the CSRF
token (`csrf_field`; a page with forms for logged-out visitors passes `forms=True`, which
starts their anonymous session here rather than while a template renders), this page's path
(`here`, a form's `next`) and the login link that comes back to it (`login_url`). Templates
call no service and read nothing but their context.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import JSONResponse, RedirectResponse
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from dailypapers import deps
from dailypapers.presenters.users import viewer
from dailypapers.web.negotiation import wants_json
from dailypapers.web.rendering import render
from dailypapers.web.sessions import CSRF_FIELD, current_user, page_csrf_token

VARY = {"Vary": "Accept"}


def safe_next(value: object, default: str = "/") -> str:
    """A same-site path to go back to after a form; anything else (other hosts, `//host`,
    `/\\host`, schemes, control characters) becomes `default`."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return default
    if value.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in value):
        return default
    return value


def here(request: Request) -> str:
    """This page's path and query: where a form on it comes back to."""
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def login_url(request: Request) -> str:
    return "/login?" + urlencode({"next": here(request)})


def csrf_field(token: str) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


def viewer_upvoted(request: Request, ids: Iterable[str]) -> set[str]:
    """Which of these papers the viewer upvoted: one query for a whole page."""
    user = current_user(request)
    if user is None:
        return set()
    return deps.votes(request).voted(user, sorted(set(ids)))


def respond(
    request: Request,
    template: str,
    view: dict[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    forms: bool = False,
) -> Response:
    """The page, or its JSON twin: the same view model either way."""
    view = {**view, "viewer": viewer(current_user(request))}
    headers = {**VARY, **(headers or {})}
    if wants_json(request):
        return JSONResponse(view, status_code=status, headers=headers)
    context: dict[str, Any] = {
        "view": view,
        "viewer": view["viewer"],
        "here": here(request),
        "login_url": login_url(request),
    }
    token = page_csrf_token(request, start_session=forms)
    if token is not None:
        context["csrf_field"] = csrf_field(token)
    return render(request, template, context, status=status, headers=headers)


def back(request: Request, next: str, default: str, payload: Any = None) -> Response:
    """The answer to a form action: a redirect back to `next` (same-site only), or JSON for a
    script that asked for it (the upvote button's)."""
    if wants_json(request):
        return JSONResponse(payload if payload is not None else {"ok": True})
    return RedirectResponse(safe_next(next, default), status_code=303)


def error_page(request: Request, status: int, code: str, message: str) -> Response:
    """The HTML error page; the app's exception translator is its only caller."""
    return respond(
        request,
        "error.html",
        {"status": status, "code": code, "message": message},
        status=status,
    )
