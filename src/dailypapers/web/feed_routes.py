"""Atom feeds: the latest day, trending, a search, a category.

`/feeds/daily.atom`, `/feeds/trending.atom`, `/feeds/search.atom?q=...`,
`/feeds/category/{category}.atom`. Each answers with an ETag and a Last-Modified, and 304
when the reader's copy is current. (`/feeds/collections/{id}.atom` comes with collections.)
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from dailypapers import deps
from dailypapers.services.syndication import FeedDoc
from dailypapers.web.atom import MEDIA_TYPE, render_feed

router = APIRouter(include_in_schema=False)


def _atom(request: Request, doc: FeedDoc) -> Response:
    site, feeds = deps.site_settings(request), deps.digest_settings(request)
    body = render_feed(
        doc,
        base_url=site.base_url,
        authority=feeds.feed_tag_authority,
        site_name=site.site_name,
    )
    # ETag, If-None-Match and If-Modified-Since are answered by web/http_semantics.py.
    headers = {
        "Cache-Control": "public, max-age=300",
        "Last-Modified": format_datetime(doc.updated.astimezone(UTC), usegmt=True),
    }
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@router.get("/feeds/daily.atom")
def daily_feed(request: Request, syndication: deps.Syndication) -> Response:
    return _atom(request, syndication.daily())


@router.get("/feeds/trending.atom")
def trending_feed(request: Request, syndication: deps.Syndication) -> Response:
    return _atom(request, syndication.trending())


@router.get("/feeds/search.atom")
def search_feed(
    request: Request,
    syndication: deps.Syndication,
    q: Annotated[str, Query(description="Search words.")] = "",
):
    return _atom(request, syndication.search_feed(q))


def canonical_category(name: str) -> str:
    """arXiv's spelling: archive in lower case, a two-letter subject class in upper case
    (`cs.CL`, `astro-ph.CO`), a longer one in lower case (`cond-mat.mes-hall`)."""
    archive, dot, subject = name.partition(".")
    subject = subject.upper() if len(subject) == 2 else subject.lower()
    return archive.lower() + dot + subject


@router.get("/feeds/category/{category}.atom")
def category_feed(request: Request, syndication: deps.Syndication, category: str) -> Response:
    canonical = canonical_category(category)
    if canonical != category:  # one feed per category, whatever the case asked for
        return RedirectResponse(f"/feeds/category/{quote(canonical)}.atom", status_code=301)
    return _atom(request, syndication.category(category))
