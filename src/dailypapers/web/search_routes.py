"""`/search`: the search page and its JSON twin (`?format=json`).

The route parses the form's parameters, calls `SearchService.search` and builds a view model.
Highlighted text (the matched spans wrapped in `<mark>`) is built here, every piece escaped
with `markupsafe.escape`, so templates never mark raw text safe. An empty query shows the form
alone; bad parameters raise `BadRequest`, which the app's translator renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from markupsafe import Markup, escape
from starlette.responses import Response

from dailypapers.domain.periods import parse_optional_day
from dailypapers.domain.search import (
    SEARCH_MODES,
    SEARCH_SORTS,
    SearchFilters,
    SearchHit,
    SearchMode,
    SearchPage,
    SearchSort,
    Span,
)
from dailypapers.errors import BadRequest
from dailypapers.services.bootstrap import Services
from dailypapers.web import views
from dailypapers.web.negotiation import wants_json
from dailypapers.web.rendering import render

router = APIRouter(include_in_schema=False)

MODE_LABELS = {"hybrid": "Hybrid", "keyword": "Keywords", "semantic": "Meaning"}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "upvotes": "Most upvoted"}
SNIPPET_CHARS = 280
SNIPPET_LEAD = 80  # characters of context kept before the first match
_TRUE = ("1", "true", "on", "yes")
_VARY = {"Vary": "Accept"}


def _services(request: Request) -> Services:
    return request.app.state.services


def parse_day(name: str, value: str | None) -> date | None:
    return parse_optional_day(value, name=name)


def parse_filters(
    published_from: str | None, published_to: str | None, category: str | None, has_code: str | None
) -> SearchFilters:
    return SearchFilters(
        published_from=parse_day("from", published_from),
        published_to=parse_day("to", published_to),
        category=(category or "").strip() or None,
        has_code=(has_code or "").strip().lower() in _TRUE,
    )


# --- highlighting ------------------------------------------------------------------------
def highlight(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> Markup:
    """`text[start:end]` escaped, with the spans inside it wrapped in `<mark>`."""
    end = len(text) if end is None else end
    parts: list[Markup | str] = []
    last = start
    for span in sorted(spans, key=lambda s: s.start):
        s, e = max(span.start, last), min(span.end, end)
        if e <= s:
            continue
        parts.append(escape(text[last:s]))
        parts.append(Markup("<mark>{}</mark>").format(text[s:e]))
        last = e
    parts.append(escape(text[last:end]))
    return Markup("").join(parts)


def snippet_window(text: str, spans: Sequence[Span], size: int = SNIPPET_CHARS) -> tuple[int, int]:
    """Where the abstract snippet starts and ends: around the first match, on word breaks."""
    if len(text) <= size:
        return 0, len(text)
    first = min((s.start for s in spans), default=0)
    start = max(0, min(first - SNIPPET_LEAD, len(text) - size))
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def snippet(text: str, spans: Sequence[Span]) -> Markup:
    start, end = snippet_window(text, spans)
    body = highlight(text, spans, start, end)
    lead = Markup("… ") if start > 0 else Markup("")
    tail = Markup(" …") if end < len(text) else Markup("")
    return lead + body + tail


# --- view model --------------------------------------------------------------------------
def _spans(spans: Sequence[Span]) -> list[list[int]]:
    return [[s.start, s.end] for s in spans]


def hit_view(hit: SearchHit, rank: int) -> dict[str, Any]:
    paper, why = hit.paper, hit.rationale
    return {
        "rank": rank,
        "id": paper.arxiv_id,
        "url": views.paper_url(paper.arxiv_id),
        "title": paper.title,
        "authors": list(paper.authors),
        "upvotes": paper.upvotes,
        "published_at": paper.published_at.isoformat() if paper.published_at else None,
        "categories": list(paper.categories),
        "github_repo": paper.github_repo,
        "score": round(hit.score, 6),
        "keyword_rank": hit.keyword_rank,
        "semantic_rank": hit.semantic_rank,
        "similarity": None if hit.similarity is None else round(hit.similarity, 4),
        "rationale": {
            "summary": why.summary,
            "matched_terms": list(why.matched_terms),
            "title_spans": _spans(why.title_spans),
            "abstract_spans": _spans(why.abstract_spans),
            "sentence": [why.sentence.start, why.sentence.end] if why.sentence else None,
            "sentence_text": why.sentence_text(paper),
            "sentence_similarity": None
            if why.sentence_similarity is None
            else round(why.sentence_similarity, 4),
        },
        # Escaped HTML with the matched words in <mark>; built in Python, never from raw text.
        "title_html": highlight(paper.title, why.title_spans),
        "snippet_html": snippet(paper.abstract, why.abstract_spans),
    }


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
    }
    if result is None:
        return view
    first_rank = result.page * result.limit + 1
    view["items"] = [hit_view(hit, first_rank + i) for i, hit in enumerate(result.hits)]
    last_page = result.pages - 1

    def page_url(number: int) -> str:
        return views._query_url("/search", {**params, "p": number or None})

    if result.page > 0:
        view["previous_page_url"] = page_url(min(result.page - 1, last_page))
    if result.page < last_page:
        view["next_page_url"] = page_url(result.page + 1)
    return view


@router.get("/search")
def search_page(
    request: Request,
    q: str = "",
    mode: str = "hybrid",
    sort: str = "relevance",
    published_from: Annotated[str | None, Query(alias="from")] = None,
    published_to: Annotated[str | None, Query(alias="to")] = None,
    category: str | None = None,
    has_code: str | None = None,
    p: int = 0,
    limit: int | None = None,
) -> Response:
    filters = parse_filters(published_from, published_to, category, has_code)
    q = q.strip()
    if mode not in SEARCH_MODES:
        raise BadRequest(f"mode must be one of {', '.join(SEARCH_MODES)}")
    if sort not in SEARCH_SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SEARCH_SORTS)}")
    result = None
    if q:
        result = _services(request).search.search(
            q,
            mode=cast(SearchMode, mode),
            sort=cast(SearchSort, sort),
            filters=filters,
            page=p,
            limit=limit,
        )
    view = search_view(q, mode, sort, filters, limit, result)
    if wants_json(request):
        return JSONResponse(view, headers=_VARY)
    return render(request, "search.html", {"view": view}, headers=_VARY)
