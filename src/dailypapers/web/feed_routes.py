"""Atom feeds: the latest day, trending, a search, a category.

`/feeds/daily.atom`, `/feeds/trending.atom`, `/feeds/search.atom?q=...`,
`/feeds/category/{category}.atom`. Each answers with an ETag and a Last-Modified, and 304
when the reader's copy is current. (`/feeds/collections/{id}.atom` comes with collections.)
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from dailypapers.services.bootstrap import Services
from dailypapers.services.syndication import FeedDoc
from dailypapers.web.atom import MEDIA_TYPE, render_feed

router = APIRouter(include_in_schema=False)


def _services(request: Request) -> Services:
    return request.app.state.services


def _atom(request: Request, doc: FeedDoc) -> Response:
    settings = _services(request).settings
    body = render_feed(
        doc,
        base_url=settings.base_url,
        authority=settings.feed_tag_authority,
        site_name=settings.site_name,
    )
    # ETag, If-None-Match and If-Modified-Since are answered by web/http_semantics.py.
    headers = {
        "Cache-Control": "public, max-age=300",
        "Last-Modified": format_datetime(doc.updated.astimezone(UTC), usegmt=True),
    }
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@router.get("/feeds/daily.atom")
def daily_feed(request: Request) -> Response:
    return _atom(request, _services(request).syndication.daily())


@router.get("/feeds/trending.atom")
def trending_feed(request: Request) -> Response:
    return _atom(request, _services(request).syndication.trending())


@router.get("/feeds/search.atom")
def search_feed(request: Request, q: Annotated[str, Query(description="Search words.")] = ""):
    return _atom(request, _services(request).syndication.search_feed(q))


@router.get("/feeds/category/{category}.atom")
def category_feed(request: Request, category: str) -> Response:
    return _atom(request, _services(request).syndication.category(category))
