"""`/api/...`: the JSON API, compatible with Hugging Face's papers API.

Routes parse parameters, call ListingService and serialise with `hf_shape`; errors are raised
(`BadRequest`, `NotFound`) and turned into HF's `{"error": "message"}` by the app's one
exception translator. `hf_schemas` types the answers in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dailypapers import deps
from dailypapers.api.hf_schemas import HfDailyItem, HfPaper, hf_errors
from dailypapers.api.hf_shape import daily_item, link_header, paper_from_entries, paper_object
from dailypapers.api.openapi_errors import ApiError
from dailypapers.deps.params import PageNumber, PageSize
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.papers import DailyEntry
from dailypapers.domain.periods import PeriodKind, parse_day, parse_period
from dailypapers.errors import BadRequest
from dailypapers.services.listings import ListingSort

router = APIRouter(prefix="/api", tags=["papers"])

# HF's `sort` values -> ListingService orders. No `sort` is HF's default: most upvoted first.
_SORTS: dict[str | None, ListingSort] = {
    None: "upvotes",
    "publishedAt": "published",
    "trending": "trending",
}

_ERRORS = hf_errors(400, 422)  # HF's routes answer errors in HF's shape
ARXIV_ID_PATTERN = r"^([0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7})(v[0-9]+)?$"


@router.get(
    "/daily_papers",
    summary="Papers featured on a day, week or month (Hugging Face's daily_papers)",
    description=(
        "A JSON list in the shape of `https://huggingface.co/api/daily_papers`. Give at most "
        "one of `date`, `week`, `month`; with none, the latest day that has papers. Without "
        "`sort` the most upvoted papers come first. The `X-Total-Count` header says how many "
        "papers the period has in all; a `Link` header names the next and previous pages."
    ),
    responses={200: {"model": list[HfDailyItem]}, **_ERRORS},
)
def daily_papers(
    request: Request,
    listings: deps.Listings,
    settings: deps.SiteSettings,
    date: Annotated[str | None, Query(description="A day, `YYYY-MM-DD`.")] = None,
    week: Annotated[str | None, Query(description="An ISO week, `YYYY-Www`.")] = None,
    month: Annotated[str | None, Query(description="A month, `YYYY-MM`.")] = None,
    p: PageNumber = 0,
    limit: PageSize = None,
    sort: Annotated[
        Literal["publishedAt", "trending"] | None,
        Query(description="`publishedAt` (newest on arXiv first) or `trending`."),
    ] = None,
    submitter: Annotated[
        str | None, Query(description="Only papers submitted by this user.")
    ] = None,
) -> JSONResponse:
    given: list[tuple[PeriodKind, str]] = [
        (kind, text)
        for kind, text in (("day", date), ("week", week), ("month", month))
        if text is not None
    ]
    if len(given) > 1:
        raise BadRequest("give at most one of date, week and month")
    period = parse_period(*given[0]) if given else None
    view = listings.period_view(
        period,
        sort=_SORTS[sort],
        page=p,
        limit=limit,
        submitter=submitter,
        listing_fallback=False,  # featured papers only, as HF: listings have their own route
    )
    headers = {"X-Total-Count": str(view.page.total)}
    base = settings.base_url.rstrip("/") + request.url.path
    params = {k: v for k, v in request.query_params.items() if k != "p"}
    if link := link_header(base, params, view.page.page, view.page.pages):
        headers["Link"] = link
    return JSONResponse([daily_item(item) for item in view.page.items], headers=headers)


@router.get(
    "/papers",
    summary="All papers, newest first, cursor-paged (Hugging Face's /api/papers)",
    description=(
        "A JSON list of `paper` objects, newest on arXiv first. Pass the `cursor` that the "
        '`Link: <...>; rel="next"` header of the previous page names; no `Link` header '
        "means the last page. `limit` is 1 to the `max_page_size` setting."
    ),
    responses={200: {"model": list[HfPaper]}, **_ERRORS},
)
def papers(
    request: Request,
    listings: deps.Listings,
    settings: deps.SiteSettings,
    cursor: Annotated[
        str | None, Query(description="Where the previous page ended (from its Link header).")
    ] = None,
    limit: PageSize = None,
) -> JSONResponse:
    found, next_cursor = listings.newest_papers(cursor, limit)
    first = listings.first_features([paper.arxiv_id for paper in found])
    headers = {}
    if next_cursor is not None:
        base = settings.base_url.rstrip("/") + request.url.path
        params = {k: v for k, v in request.query_params.items() if k != "cursor"}
        headers["Link"] = f'<{base}?{urlencode({**params, "cursor": next_cursor})}>; rel="next"'
    body = [paper_from_entries(paper, _listed(first.get(paper.arxiv_id))) for paper in found]
    return JSONResponse(body, headers=headers)


def _listed(entry: DailyEntry | None) -> list[DailyEntry]:
    return [entry] if entry is not None else []


class ArxivListing(BaseModel):
    """A day's 'new' listing on arXiv: papers listed, not featured."""

    date: str | None
    category: str | None
    total: int
    papers: list[HfPaper]


@router.get(
    "/arxiv_listings",
    tags=["listings"],
    summary="Papers listed as new on arXiv on a day (our extension, not featured papers)",
    description=(
        "arXiv's 'new' listing of `date` (default: the latest listed day), in listing order, "
        "optionally of one `category` (primary or cross-listed). These papers were *listed* on "
        "arXiv; the papers *featured* on a day are `/api/daily_papers`. Paged with `p` and "
        "`limit`; the `X-Total-Count` and `Link` headers as there."
    ),
    responses={
        200: {"model": ArxivListing},
        400: {"model": ApiError, "description": "A malformed parameter (our error shape)."},
    },
)
def arxiv_listings(
    request: Request,
    listings: deps.Listings,
    settings: deps.SiteSettings,
    date: Annotated[str | None, Query(description="A day, `YYYY-MM-DD`.")] = None,
    category: Annotated[str | None, Query(description="An arXiv category, e.g. cs.CL.")] = None,
    p: PageNumber = 0,
    limit: PageSize = None,
) -> JSONResponse:
    day = parse_day(date) if date is not None else None
    view = listings.listing(day, category, page=p, limit=limit)
    headers = {"X-Total-Count": str(view.total)}
    base = settings.base_url.rstrip("/") + request.url.path
    params = {k: v for k, v in request.query_params.items() if k != "p"}
    pages = max(1, -(-view.total // view.limit))
    if link := link_header(base, params, view.page, pages):
        headers["Link"] = link
    body = {
        "date": view.day.isoformat() if view.day else None,
        "category": view.category,
        "total": view.total,
        "papers": [paper_object(paper) for paper in view.papers],
    }
    return JSONResponse(body, headers=headers)


@router.get(
    "/papers/{arxiv_id:path}",
    summary="One paper (Hugging Face's /api/papers/{id})",
    description=(
        "The `paper` object of Hugging Face's API. Accepts a versioned id (`2405.15738v2`), "
        "an old-style id (`hep-th/9901001`) or an arXiv URL."
    ),
    responses={200: {"model": HfPaper}, **hf_errors(400, 404, 422)},
)
def paper(
    listings: deps.Listings,
    arxiv_id: Annotated[
        str,
        Path(
            description="An arXiv id, versioned or not; an arXiv URL is accepted too.",
            # Documents the id forms, so a generated client (or schemathesis) never mistakes
            # `/api/papers/search` for a paper; not enforced, so pasted URLs still resolve.
            json_schema_extra={"pattern": ARXIV_ID_PATTERN},
        ),
    ],
) -> JSONResponse:
    parsed = parse_arxiv_id(arxiv_id)
    view = listings.paper(parsed.base)
    return JSONResponse(paper_from_entries(view.paper, view.entries))
