"""Atom feeds: the latest day, trending, a search, a category.

`/feeds/daily.atom`, `/feeds/trending.atom`, `/feeds/search.atom?q=...`,
`/feeds/category/{category}.atom`. Each answers with an ETag, and 304 when the reader's copy
is current. (`/feeds/collections/{id}.atom` comes with collections.)
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from dailypapers.services.app_state import services_of
from dailypapers.services.syndication import FeedDoc
from dailypapers.web.atom import MEDIA_TYPE, render_feed

router = APIRouter(include_in_schema=False)


def _atom(request: Request, doc: FeedDoc) -> Response:
    settings = services_of(request).settings
    body = render_feed(
        doc,
        base_url=settings.base_url,
        authority=settings.feed_tag_authority,
        site_name=settings.site_name,
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@router.get("/feeds/daily.atom")
def daily_feed(request: Request) -> Response:
    return _atom(request, services_of(request).syndication.daily())


@router.get("/feeds/trending.atom")
def trending_feed(request: Request) -> Response:
    return _atom(request, services_of(request).syndication.trending())


@router.get("/feeds/search.atom")
def search_feed(request: Request, q: Annotated[str, Query(description="Search words.")] = ""):
    return _atom(request, services_of(request).syndication.search_feed(q))


@router.get("/feeds/category/{category}.atom")
def category_feed(request: Request, category: str) -> Response:
    return _atom(request, services_of(request).syndication.category(category))
