"""Email subscriptions in the browser, no account and no JavaScript needed.

GET/POST /subscribe                    the form; POST mails a confirmation link
GET/POST /subscribe/confirm/{token}    GET shows a button, POST confirms (link scanners that
                                       prefetch GETs can't confirm on anyone's behalf)
GET/POST /subscriptions/{token}        manage: change what and when, or unsubscribe
GET/POST /unsubscribe/{token}          GET shows a button; POST unsubscribes, including the
                                       RFC 8058 one-click POST (`List-Unsubscribe=One-Click`)
GET      /digest/preview[?token=]      the digest as it would be sent now (HTML, `part=text`,
                                       or `format=json`); without a token, a sample

CSRF: the site has one scheme, the session's CSRF token (`web/sessions.py`). The subscribe
form carries it like every session form. The pages under a secret token (confirm, manage,
unsubscribe) are authorised by that secret, not by a cookie, so a forged post gains nothing
the token's holder couldn't do, and the middleware exempts them (app.py,
`CSRF_EXEMPT_PATHS`); that includes the RFC 8058 one-click POST, which mail providers send
from their servers. (An earlier `Origin` check here refused every button on those pages in
Chromium: they send `Referrer-Policy: no-referrer`, and a form posted from such a page
carries `Origin: null`.)
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from dailypapers import deps
from dailypapers.domain.digests import (
    FREQUENCIES,
    WEEKDAYS,
    DigestPrefs,
    SavedQuery,
    Subscription,
    parse_categories,
)
from dailypapers.errors import BadRequest
from dailypapers.services.digest_content import render_preview
from dailypapers.web.negotiation import wants_json
from dailypapers.web.pages import respond

router = APIRouter(include_in_schema=False)

ONE_CLICK = "List-Unsubscribe=One-Click"
# Pages whose URL holds a secret token: not cached, not indexed, no Referer sent onwards.
TOKEN_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
# The preview shows the mail's own HTML, whose styles are inline (as mail clients need);
# it runs no script and loads nothing.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


# --- the preferences form ------------------------------------------------------------------
def _number(text: str | None, name: str, kind: type, default: Any) -> Any:
    text = (text or "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None


def prefs_from_form(form: FormData) -> DigestPrefs:
    """Preferences from the form's fields (the same on the subscribe and manage pages)."""
    frequency = str(form.get("frequency") or "daily")
    if frequency not in FREQUENCIES:
        raise BadRequest("frequency must be daily or weekly")
    queries = []
    scores = form.getlist("min_score")
    for index, raw in enumerate(form.getlist("query")):
        words = " ".join(str(raw).split())
        if words:
            score = scores[index] if index < len(scores) else ""
            queries.append(SavedQuery(words, _number(str(score), "the minimum score", float, 0.0)))
    return DigestPrefs(
        frequency=frequency,  # type: ignore[arg-type]
        send_hour=_number(str(form.get("hour") or ""), "the hour", int, 8),
        send_weekday=_number(str(form.get("weekday") or ""), "the weekday", int, 0),
        include_trending=str(form.get("trending") or "") in ("on", "1", "true", "yes"),
        queries=tuple(queries),
        categories=parse_categories(str(form.get("categories") or "")),
    )


def _prefs_view(prefs: DigestPrefs, max_queries: int) -> dict[str, Any]:
    queries = [{"query": q.query, "min_score": q.min_score} for q in prefs.queries]
    blanks = max(0, min(max_queries, len(queries) + 2) - len(queries))
    return {
        "frequency": prefs.frequency,
        "hour": prefs.send_hour,
        "weekday": prefs.send_weekday,
        "trending": prefs.include_trending,
        "queries": queries,
        "query_rows": queries + [{"query": "", "min_score": ""}] * blanks,
        "categories": " ".join(prefs.categories),
        "schedule": prefs.describe(),
    }


def _form_view(
    request: Request,
    prefs: DigestPrefs,
    *,
    email: str = "",
    error: str | None = None,
) -> dict[str, Any]:
    settings = deps.digest_settings(request)
    return {
        "email": email,
        "prefs": _prefs_view(prefs, settings.subscription_max_queries),
        "error": error,
        "hours": list(range(24)),
        "weekdays": list(enumerate(WEEKDAYS)),
        "max_queries": settings.subscription_max_queries,
        "max_query_length": deps.site_settings(request).max_query_length,
    }


def _initial_prefs(request: Request) -> DigestPrefs:
    """`/subscribe?q=...&category=...` pre-fills a search or a category (from other pages)."""
    params = request.query_params
    query = " ".join(params.get("q", "").split())[: deps.site_settings(request).max_query_length]
    try:
        categories = parse_categories(params.get("category", ""))
    except BadRequest:
        categories = ()
    return DigestPrefs(
        include_trending=not (query or categories),
        queries=(SavedQuery(query, 0.0),) if query else (),
        categories=categories,
    )


@router.get("/subscribe")
def subscribe_form(request: Request) -> Response:
    view = _form_view(request, _initial_prefs(request))
    return respond(request, "subscriptions/subscribe.html", view, forms=True)


@router.post("/subscribe")
async def subscribe(request: Request, subscriptions: deps.Subscriptions) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")
    try:
        prefs = prefs_from_form(form)
        # Sends mail: off the event loop.
        client = request.client.host if request.client else ""
        await run_in_threadpool(subscriptions.subscribe, email, prefs, client=client)
    except BadRequest as exc:
        try:
            shown = prefs_from_form(form)
        except BadRequest:
            shown = DigestPrefs()
        view = _form_view(request, shown, email=email[:254], error=exc.message)
        return respond(request, "subscriptions/subscribe.html", view, status=400, forms=True)
    view = {"status": "check_your_inbox", "email": email.strip()[:254]}
    return respond(request, "subscriptions/subscribe_sent.html", view)


# --- confirming ------------------------------------------------------------------------
@router.get("/subscribe/confirm/{token}")
def confirm_page(request: Request, subscriptions: deps.Subscriptions, token: str) -> Response:
    subscription = subscriptions.pending(token)
    view = {"email": subscription.email, "schedule": subscription.prefs.describe()}
    return respond(request, "subscriptions/subscribe_confirm.html", view, headers=TOKEN_HEADERS)


@router.post("/subscribe/confirm/{token}")
def confirm(request: Request, subscriptions: deps.Subscriptions, token: str) -> Response:
    manage = subscriptions.confirm(token)
    target = f"/subscriptions/{manage}?confirmed=1"
    if wants_json(request):
        return JSONResponse({"status": "active", "manage_url": target}, headers=TOKEN_HEADERS)
    return RedirectResponse(target, status_code=303, headers=TOKEN_HEADERS)


# --- managing --------------------------------------------------------------------------
def _manage_view(
    request: Request, token: str, subscription: Subscription, **extra: Any
) -> dict[str, Any]:
    view = _form_view(request, subscription.prefs, email=subscription.email)
    view.update(
        status=subscription.status,
        token_path=f"/subscriptions/{token}",
        preview_url=f"/digest/preview?token={token}",
        unsubscribe_path=f"/unsubscribe/{token}",
        deliveries=[
            {
                "period": d["period"],
                "state": d["state"],
                "papers": d["item_count"],
                "finished_at": d["finished_at"].isoformat() if d["finished_at"] else None,
            }
            for d in deps.subscriptions(request).recent_deliveries(subscription)
        ],
        confirmed=request.query_params.get("confirmed") == "1",
        saved=request.query_params.get("saved") == "1",
        **extra,
    )
    return view


@router.get("/subscriptions/{token}")
def manage_page(request: Request, subscriptions: deps.Subscriptions, token: str) -> Response:
    subscription = subscriptions.manage(token)
    view = _manage_view(request, token, subscription)
    return respond(request, "subscriptions/subscription_manage.html", view, headers=TOKEN_HEADERS)


@router.post("/subscriptions/{token}")
async def manage(request: Request, service: deps.Subscriptions, token: str) -> Response:
    subscription = await run_in_threadpool(service.manage, token)
    form = await request.form()
    if form.get("action") == "unsubscribe":
        await run_in_threadpool(service.unsubscribe, token)
        view = {"status": "unsubscribed", "email": subscription.email}
        return respond(request, "subscriptions/unsubscribed.html", view, headers=TOKEN_HEADERS)
    try:
        await run_in_threadpool(service.update, token, prefs_from_form(form))
    except BadRequest as exc:
        view = _manage_view(request, token, subscription, error=exc.message)
        return respond(
            request,
            "subscriptions/subscription_manage.html",
            view,
            status=400,
            headers=TOKEN_HEADERS,
        )
    if wants_json(request):
        return JSONResponse(
            _manage_view(request, token, service.manage(token)), headers=TOKEN_HEADERS
        )
    return RedirectResponse(
        f"/subscriptions/{token}?saved=1", status_code=303, headers=TOKEN_HEADERS
    )


# --- unsubscribing ---------------------------------------------------------------------
@router.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, subscriptions: deps.Subscriptions, token: str) -> Response:
    subscription = subscriptions.for_unsubscribe(token)
    view = {"email": subscription.email, "status": subscription.status, "one_click": ONE_CLICK}
    return respond(request, "subscriptions/unsubscribe.html", view, headers=TOKEN_HEADERS)


@router.post("/unsubscribe/{token}")
async def unsubscribe(request: Request, service: deps.Subscriptions, token: str) -> Response:
    subscription = await run_in_threadpool(service.unsubscribe, token)
    view = {"status": "unsubscribed", "email": subscription.email}
    return respond(request, "subscriptions/unsubscribed.html", view, headers=TOKEN_HEADERS)


# --- previews --------------------------------------------------------------------------
_BODY = re.compile(r"<body[^>]*>")
_PREVIEW_BAR = (
    '<nav aria-label="Preview" style="padding:8px 16px;background-color:#1b1f24;'
    'color:#ffffff;font-size:14px;">This is a preview of the digest mail. '
    '<a href="{home}" style="color:#ffffff;">Back to {site}</a>'
    "{manage}</nav>"
)


def with_way_back(html: str, site_name: str, manage_path: str | None) -> str:
    """The mail's HTML with a bar on top that links back to the site (the mail itself has
    no navigation): the preview is a page someone opened from the site."""
    manage = (
        Markup(' · <a href="{}" style="color:#ffffff;">Manage this subscription</a>').format(
            manage_path
        )
        if manage_path
        else ""
    )
    bar = Markup(_PREVIEW_BAR).format(home="/", site=site_name, manage=manage)
    return _BODY.sub(lambda m: m.group(0) + bar, html, count=1)


@router.get("/digest/preview")
def digest_preview(
    request: Request,
    subscriptions: deps.Subscriptions,
    digests: deps.Digests,
    settings: deps.SiteSettings,
    token: Annotated[str | None, Query(description="A manage token: that subscription.")] = None,
    part: Annotated[str, Query(description="html or text.")] = "html",
) -> Response:
    site = settings.base_url.rstrip("/")
    subscription = subscriptions.manage(token) if token else None
    context = digests.preview(
        subscription,
        manage_url=f"{site}/subscriptions/{token}" if token else f"{site}/subscribe",
        unsubscribe_url=f"{site}/unsubscribe/{token}" if token else f"{site}/subscribe",
    )
    headers = {**TOKEN_HEADERS, "Content-Security-Policy": PREVIEW_CSP}
    if wants_json(request):
        return JSONResponse(context, headers=headers)
    if part not in ("html", "text"):
        raise BadRequest("part must be html or text")
    text, html = render_preview(context)
    if part == "text":
        return PlainTextResponse(text, headers=headers)
    manage_path = f"/subscriptions/{token}" if token else None
    html = with_way_back(html, settings.site_name, manage_path)
    return HTMLResponse(html, headers=headers)
