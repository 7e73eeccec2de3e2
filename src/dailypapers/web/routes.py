"""The HTML pages. Each answers JSON too (`?format=json` or `Accept: application/json`).

Routes parse input, call one FeedService method, build a view model (`views`) and render it
or return it. Errors are raised, never formatted here: the app's translator renders them.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.periods import PeriodKind, parse_period
from dailypapers.services.bootstrap import Services
from dailypapers.services.feed import FeedSort
from dailypapers.web import views
from dailypapers.web.negotiation import wants_json
from dailypapers.web.rendering import render

router = APIRouter(include_in_schema=False)

Page = Annotated[int, Query(description="Page number, from 0.")]
Limit = Annotated[int | None, Query(description="Papers per page.")]
Sort = Annotated[str, Query(description="upvotes, published or trending.")]

_VARY = {"Vary": "Accept"}


def _services(request: Request) -> Services:
    return request.app.state.services


def _respond(request: Request, template: str, view: dict[str, Any]) -> Response:
    """The page, or its JSON twin: the same view model either way."""
    if wants_json(request):
        return JSONResponse(view, headers=_VARY)
    return render(request, template, {"view": view}, headers=_VARY)


def _period_response(
    request: Request,
    kind: PeriodKind | None,
    label: str | None,
    sort: str,
    p: int,
    limit: int | None,
) -> Response:
    period = parse_period(kind, label) if kind and label is not None else None
    feed = _services(request).feed
    view = feed.period_view(period, sort=cast(FeedSort, sort), page=p, limit=limit)
    if view.period is None:
        return _respond(request, "empty.html", views.empty_page())
    model = views.period_page(
        view,
        path=request.url.path,
        kind=view.period.kind,
        title=f"Papers of {views.period_title(view.period)}",
        explicit_limit=limit,
    )
    return _respond(request, "day.html", model)


@router.get("/")
def latest_day(request: Request, sort: Sort = "upvotes", p: Page = 0, limit: Limit = None):
    """The latest day that has papers."""
    return _period_response(request, None, None, sort, p, limit)


@router.get("/date/{day}")
def day_page(request: Request, day: str, sort: Sort = "upvotes", p: Page = 0, limit: Limit = None):
    return _period_response(request, "day", day, sort, p, limit)


@router.get("/week/{week}")
def week_page(
    request: Request, week: str, sort: Sort = "upvotes", p: Page = 0, limit: Limit = None
):
    return _period_response(request, "week", week, sort, p, limit)


@router.get("/month/{month}")
def month_page(
    request: Request, month: str, sort: Sort = "upvotes", p: Page = 0, limit: Limit = None
):
    return _period_response(request, "month", month, sort, p, limit)


def _latest_redirect(request: Request, kind: PeriodKind) -> Response:
    period = _services(request).feed.latest(kind)
    target = views.period_url(period) if period else "/"
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(target, status_code=302)


@router.get("/week")
def this_week(request: Request):
    """The latest week that has papers."""
    return _latest_redirect(request, "week")


@router.get("/month")
def this_month(request: Request):
    """The latest month that has papers."""
    return _latest_redirect(request, "month")


@router.get("/trending")
def trending(request: Request, p: Page = 0, limit: Limit = None):
    view = _services(request).feed.trending(page=p, limit=limit)
    model = views.period_page(
        view,
        path=request.url.path,
        kind="trending",
        title="Trending papers",
        explicit_limit=limit,
    )
    model["window_days"] = _services(request).settings.trending_window_days
    return _respond(request, "day.html", model)


@router.get("/papers/{arxiv_id:path}")
def paper(request: Request, arxiv_id: str):
    """A paper; any pasted form of its id redirects to the canonical `/papers/{base id}`."""
    parsed = parse_arxiv_id(arxiv_id)
    if arxiv_id != parsed.base:
        target = views.paper_url(parsed.base)
        if request.url.query:
            target += f"?{request.url.query}"
        return RedirectResponse(target, status_code=301)
    services = _services(request)
    view = services.feed.paper(parsed.base)
    similar = services.search.similar(
        parsed.base, limit=min(views.SIMILAR_SHOWN, services.settings.similar_papers_max)
    )
    return _respond(request, "paper.html", views.paper_page(view, similar))


@router.get("/about")
def about(request: Request):
    return _respond(request, "about.html", views.about_page(_services(request).settings))
