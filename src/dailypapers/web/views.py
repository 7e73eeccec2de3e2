"""Page view models of the listing pages (day, week, month, trending, about, empty): the page
around the objects (its title, the links to other periods, sort options, paging), with each
paper shaped by the presenters.

A page's template renders exactly this dict and its JSON twin returns it (`pages.respond`),
so the two can't drift apart. Dates are ISO strings here; templates format them for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from dailypapers.config import SiteSettings
from dailypapers.domain.periods import Period
from dailypapers.domain.trending import FORMULA
from dailypapers.presenters.listing_items import listing_item
from dailypapers.services.listings import FEED_SORTS, PeriodView
from dailypapers.web.rendering import long_day, short_day

# "Hot" orders one period's papers by upvotes decayed with age; "Trending" is the page of
# the last `trending_window_days` days ranked that way. One name each, so neither is
# mistaken for the other (issue 10 item 9).
SORT_LABELS = {"upvotes": "Most upvoted", "published": "Newest", "trending": "Hot"}
_ROUTE = {"day": "date", "week": "week", "month": "month"}


def period_url(period: Period) -> str:
    return f"/{_ROUTE[period.kind]}/{period.label}"


def period_title(period: Period) -> str:
    if period.kind == "day":
        return long_day(period.start)
    if period.kind == "week":
        year, week, _ = period.start.isocalendar()
        return f"Week {week}, {year}"
    return f"{period.start:%B %Y}"


def _period_dict(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "title": period_title(period),
        "range": f"{short_day(period.start)} – {short_day(period.end)}",
        "url": period_url(period),
    }


def _link(period: Period | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {"label": period.label, "title": period_title(period), "url": period_url(period)}


def query_url(path: str, params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if v is not None}
    return f"{path}?{urlencode(kept)}" if kept else path


def period_page(
    view: PeriodView,
    *,
    path: str,
    kind: str,
    title: str,
    explicit_limit: int | None,
    upvoted: set[str],
) -> dict[str, Any]:
    """A day, week, month or the trending page. `path` builds the paging and sort links;
    `upvoted` holds the ids of the page's papers that the viewer upvoted."""
    page = view.page
    first_rank = page.page * page.limit + 1
    sort = None if view.sort == "upvotes" or kind == "trending" else view.sort

    def page_url(number: int) -> str:
        return query_url(path, {"sort": sort, "p": number or None, "limit": explicit_limit})

    last_page = page.pages - 1
    return {
        "kind": kind,
        "title": title,
        "period": _period_dict(view.period) if view.period else None,
        "previous": _link(view.previous),
        "next": _link(view.next),
        "sort": view.sort,
        # Nothing featured in the period: the items are the papers listed as new on arXiv.
        "listed": view.listed,
        "sorts": (
            []
            if kind == "trending"
            else [
                {
                    "value": value,
                    "label": SORT_LABELS[value],
                    "url": query_url(
                        path,
                        {"sort": None if value == "upvotes" else value, "limit": explicit_limit},
                    ),
                }
                for value in FEED_SORTS
            ]
        ),
        "page": page.page,
        "limit": page.limit,
        "total": page.total,
        "pages": page.pages,
        "previous_page_url": page_url(min(page.page - 1, last_page)) if page.page > 0 else None,
        "next_page_url": page_url(page.page + 1) if page.page < last_page else None,
        "items": [
            listing_item(item, rank=first_rank + i, upvoted=item.paper.arxiv_id in upvoted)
            for i, item in enumerate(page.items)
        ],
    }


IMPORT_COMMAND = "dailypapers import hf-daily PATH"


def empty_page() -> dict[str, Any]:
    """The database has no papers at all: say how to get some."""
    return {
        "kind": "empty",
        "title": "No papers yet",
        "total": 0,
        "items": [],
        "import_command": IMPORT_COMMAND,
        "demo_command": "dailypapers serve --demo",
    }


SIMILAR_SHOWN = 6  # similar papers listed on a paper page


# Routes that aren't in the OpenAPI schema but belong on the about page's list.
_MORE_ENDPOINTS = (
    {
        "method": "GET",
        "path": "/feeds/daily.atom, /feeds/trending.atom, /feeds/category/{category}.atom, "
        "/feeds/search.atom",
        "params": "q (search feed)",
        "description": "Atom feeds of the featured papers, trending, an arXiv category, a search.",
    },
    {
        "method": "GET",
        "path": "/openapi.json, /docs",
        "params": "",
        "description": "The OpenAPI schema of the JSON API, and its browsable documentation.",
    },
    {
        "method": "GET",
        "path": "any page with ?format=json",
        "params": "",
        "description": "The data the page shows, as JSON (or send Accept: application/json).",
    },
)


def api_endpoints(schema: Mapping[str, Any]) -> list[dict[str, str]]:
    """The about page's endpoint list, read from the app's own OpenAPI schema so that a new
    route shows up there without anyone remembering to add it (it once lacked half of them)."""
    rows = [
        {
            "method": method.upper(),
            "path": path,
            "params": ", ".join(p["name"] for p in op.get("parameters", []) if p["in"] == "query"),
            "description": op.get("summary", ""),
        }
        for path, operations in schema.get("paths", {}).items()
        for method, op in operations.items()
    ]
    return [*rows, *_MORE_ENDPOINTS]


def about_page(settings: SiteSettings, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "site_name": settings.site_name,
        "trending": {
            "formula": FORMULA,
            "gravity": settings.trending_gravity,
            "window_days": settings.trending_window_days,
        },
        "page_size": settings.page_size,
        "max_page_size": settings.max_page_size,
        "api": api_endpoints(schema),
    }
