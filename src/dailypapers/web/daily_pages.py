"""The Daily Papers pages: the latest day, a day, week or month, trending, a paper, about.

Each route parses its input, loads everything its page shows through the services (the
viewer's upvotes and, on a paper page, the discussion and the viewer's collections
included; the part that is the same for every viewer comes from `view_cache.shared_view`
while the data version holds), has the presenters shape it into one view model, and answers with
`pages.respond`: the page, or the same dict as its JSON twin. Errors are raised, never
formatted here: the app's translator renders them.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from dailypapers import deps
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.periods import PeriodKind, parse_optional_day, parse_period
from dailypapers.errors import BadRequest
from dailypapers.presenters.comments import paper_community
from dailypapers.presenters.papers import paper_page, paper_url
from dailypapers.services.listings import ListingService, ListingSort
from dailypapers.web import views
from dailypapers.web.pages import respond, viewer_upvoted
from dailypapers.web.sessions import current_user
from dailypapers.web.view_cache import shared_view

router = APIRouter(include_in_schema=False)

Page = Annotated[int, Query(description="Page number, from 0.")]
Limit = Annotated[int | None, Query(description="Papers per page.")]
Sort = Annotated[str, Query(description="upvotes, published or trending.")]


def _period_response(
    request: Request,
    listings: ListingService,
    kind: PeriodKind | None,
    label: str | None,
    sort: str,
    p: int,
    limit: int | None,
) -> Response:
    period = parse_period(kind, label) if kind and label is not None else None
    view, reused = shared_view(
        request,
        ("period", period, sort, p, limit),
        lambda: listings.period_view(period, sort=cast(ListingSort, sort), page=p, limit=limit),
    )
    if view.period is None:
        return respond(request, "empty.html", views.empty_page(), headers=reused)
    model = views.period_page(
        view,
        path=request.url.path,
        kind=view.period.kind,
        title=f"Papers of {views.period_title(view.period)}",
        explicit_limit=limit,
        upvoted=viewer_upvoted(request, (i.paper.arxiv_id for i in view.page.items)),
    )
    return respond(request, "day.html", model, headers=reused)


@router.get("/")
def latest_day(
    request: Request,
    listings: deps.Listings,
    sort: Sort = "upvotes",
    p: Page = 0,
    limit: Limit = None,
):
    """The latest day that has papers."""
    return _period_response(request, listings, None, None, sort, p, limit)


@router.get("/date")
def jump_to_day(request: Request, day: str = ""):
    """The day picker's form: `/date?day=2026-08-21` goes to that day's page."""
    parsed = parse_optional_day(day, name="day")
    if parsed is None:
        raise BadRequest("day: pick a day, e.g. 2026-08-21")
    return RedirectResponse(f"/date/{parsed.isoformat()}", status_code=303)


@router.get("/date/{day}")
def day_page(
    request: Request,
    listings: deps.Listings,
    day: str,
    sort: Sort = "upvotes",
    p: Page = 0,
    limit: Limit = None,
):
    return _period_response(request, listings, "day", day, sort, p, limit)


@router.get("/week/{week}")
def week_page(
    request: Request,
    listings: deps.Listings,
    week: str,
    sort: Sort = "upvotes",
    p: Page = 0,
    limit: Limit = None,
):
    return _period_response(request, listings, "week", week, sort, p, limit)


@router.get("/month/{month}")
def month_page(
    request: Request,
    listings: deps.Listings,
    month: str,
    sort: Sort = "upvotes",
    p: Page = 0,
    limit: Limit = None,
):
    return _period_response(request, listings, "month", month, sort, p, limit)


def _latest_redirect(request: Request, listings: ListingService, kind: PeriodKind) -> Response:
    period = listings.latest(kind)
    target = views.period_url(period) if period else "/"
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(target, status_code=302)


@router.get("/week")
def this_week(request: Request, listings: deps.Listings):
    """The latest week that has papers."""
    return _latest_redirect(request, listings, "week")


@router.get("/month")
def this_month(request: Request, listings: deps.Listings):
    """The latest month that has papers."""
    return _latest_redirect(request, listings, "month")


@router.get("/trending")
def trending(
    request: Request,
    listings: deps.Listings,
    settings: deps.SiteSettings,
    p: Page = 0,
    limit: Limit = None,
):
    view, reused = shared_view(
        request, ("trending", p, limit), lambda: listings.trending(page=p, limit=limit)
    )
    model = views.period_page(
        view,
        path=request.url.path,
        kind="trending",
        title="Trending papers",
        explicit_limit=limit,
        upvoted=viewer_upvoted(request, (i.paper.arxiv_id for i in view.page.items)),
    )
    model["window_days"] = settings.trending_window_days
    return respond(request, "day.html", model, headers=reused)


@router.get("/papers/{arxiv_id:path}")
def paper(
    request: Request,
    listings: deps.Listings,
    search: deps.Search,
    keyphrases: deps.Keyphrases,
    votes: deps.Votes,
    comments: deps.Comments,
    collections: deps.Collections,
    search_settings: deps.SearchSettings,
    community_settings: deps.CommunitySettings,
    arxiv_id: str,
):
    """A paper; any pasted form of its id redirects to the canonical `/papers/{base id}`."""
    parsed = parse_arxiv_id(arxiv_id)
    if arxiv_id != parsed.base:
        target = paper_url(parsed.base)
        if request.url.query:
            target += f"?{request.url.query}"
        return RedirectResponse(target, status_code=301)
    viewer = current_user(request)
    (view, similar, phrases), reused = shared_view(
        request,
        ("paper", parsed.base),
        lambda: (
            listings.paper(parsed.base),
            search.similar(
                parsed.base, limit=min(views.SIMILAR_SHOWN, search_settings.similar_papers_max)
            ),
            keyphrases.for_paper(parsed.base),
        ),
    )
    block = paper_community(
        votes=votes.tally(viewer, parsed.base),
        found=comments.threads(parsed.base),
        collections=collections.for_paper(viewer, parsed.base),
        viewer=viewer,
        max_comment_chars=community_settings.max_comment_chars,
    )
    model = paper_page(view.paper, view.entries, similar, block, phrases)
    return respond(request, "paper.html", model, headers=reused)


@router.get("/about")
def about(request: Request, settings: deps.SiteSettings):
    return respond(request, "about.html", views.about_page(settings, request.app.openapi()))
