"""`/search`: the search page and its JSON twin (`?format=json`).

The route takes the search's parameters as `/api/search` does (`deps.search_params`), calls
`SearchService.search` once (which checks them and decides what an empty result says: the
filter that emptied it, a broader search, a spelling), loads which hits the viewer upvoted,
and builds a view model around the hits that `presenters.search_hits` shapes (with their
highlighted title and snippet, escaped there) and the links of the page. An empty query
shows the form alone; bad parameters raise `BadRequest`, which the app's translator renders.
A query that is an arXiv id or URL of a paper we hold redirects to that paper's page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from dailypapers import deps
from dailypapers.deps.search_params import SearchParams
from dailypapers.domain.search import SEARCH_MODES, SEARCH_SORTS, SearchFilters, SearchPage
from dailypapers.presenters.search_hits import search_hit
from dailypapers.web import views
from dailypapers.web.pages import respond, viewer_upvoted

router = APIRouter(include_in_schema=False)

MODE_LABELS = {"hybrid": "Hybrid", "keyword": "Keywords", "semantic": "Meaning"}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "upvotes": "Most upvoted"}


def _params(
    q: str, mode: str, sort: str, filters: SearchFilters, limit: int | None
) -> dict[str, Any]:
    return {
        "q": q,
        "mode": None if mode == "hybrid" else mode,
        "sort": None if sort == "relevance" else sort,
        "from": filters.published_from.isoformat() if filters.published_from else None,
        "to": filters.published_to.isoformat() if filters.published_to else None,
        "category": filters.category,
        "has_code": "1" if filters.has_code else None,
        "limit": limit,
    }


def search_view(
    q: str,
    mode: str,
    sort: str,
    filters: SearchFilters,
    limit: int | None,
    result: SearchPage | None,
    upvoted: set[str],
) -> dict[str, Any]:
    params = _params(q, mode, sort, filters, limit)
    view: dict[str, Any] = {
        "kind": "search",
        "title": f"Search: {q}" if q else "Search",
        "query": q,
        "mode": mode,
        "sort": sort,
        "filters": {
            "from": params["from"],
            "to": params["to"],
            "category": filters.category,
            "has_code": filters.has_code,
        },
        "modes": [{"value": m, "label": MODE_LABELS[m]} for m in SEARCH_MODES],
        "sorts": [{"value": s, "label": SORT_LABELS[s]} for s in SEARCH_SORTS],
        "searched": result is not None,
        "mode_used": result.mode_used if result else None,
        "notice": result.notice if result else None,
        "total": result.total if result else 0,
        "page": result.page if result else 0,
        "pages": result.pages if result else 0,
        "limit": result.limit if result else None,
        "took_ms": result.took_ms if result else None,
        "previous_page_url": None,
        "next_page_url": None,
        "items": [],
        "suggestion": None,
        "broader": None,
        "emptied_by": None,
        "facets": [],
    }
    if result is None:
        return view
    if result.suggestion:
        view["suggestion"] = {
            "query": result.suggestion,
            "url": views.query_url("/search", {**params, "q": result.suggestion}),
        }
    if result.broader:
        wider = result.broader
        wider_params = _params(wider.query, wider.mode, sort, wider.filters, limit)
        view["broader"] = {"label": wider.label, "url": views.query_url("/search", wider_params)}
    view["emptied_by"] = result.emptied_by
    view["facets"] = [
        {
            "phrase": phrase,
            "count": count,
            "url": views.query_url("/search", {**params, "q": f'{q} "{phrase}"'}),
        }
        for phrase, count in result.facets
    ]
    first_rank = result.page * result.limit + 1
    view["items"] = [
        search_hit(hit, rank=first_rank + i, upvoted=hit.paper.arxiv_id in upvoted)
        for i, hit in enumerate(result.hits)
    ]
    last_page = result.pages - 1

    def page_url(number: int) -> str:
        return views.query_url("/search", {**params, "p": number or None})

    if result.page > 0:
        view["previous_page_url"] = page_url(min(result.page - 1, last_page))
    if result.page < last_page:
        view["next_page_url"] = page_url(result.page + 1)
    return view


@router.get("/search")
def search_page(request: Request, asked: SearchParams, search: deps.Search) -> Response:
    # The service checks every parameter, an empty query's too (it finds nothing without
    # searching): the page shows the form alone then.
    found = search.search(
        asked.query,
        mode=asked.mode,
        sort=asked.sort,
        filters=asked.filters,
        page=asked.page,
        limit=asked.limit,
    )
    result = found if asked.query else None
    if result is not None and result.opened and request.query_params.get("format") != "json":
        # A pasted arXiv id or abs/pdf/HF URL names one paper: open it.
        return RedirectResponse(f"/papers/{result.opened}", status_code=303)
    upvoted = viewer_upvoted(request, (h.paper.arxiv_id for h in result.hits) if result else ())
    view = search_view(
        asked.query, asked.mode, asked.sort, asked.filters, asked.limit, result, upvoted
    )
    return respond(request, "search.html", view)
