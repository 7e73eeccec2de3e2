"""`/api/papers/search` (Hugging Face's shape) and `/api/search` (ours, with rationales).

Routes parse parameters, call `SearchService.search` and serialise papers with `hf_shape`;
errors (`BadRequest` for an over-long query, a bad date, an unknown mode or sort) are raised
and turned into `{"error": {"code", "message"}}` by the app's exception translator.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from dailypapers.api.hf_schemas import HfSearchItem, hf_errors
from dailypapers.api.hf_shape import paper_object, search_item
from dailypapers.domain.search import SearchFilters, SearchHit, SearchMode, SearchSort
from dailypapers.errors import BadRequest
from dailypapers.services.bootstrap import Services

router = APIRouter(prefix="/api", tags=["search"])

_ERRORS = {
    400: {"description": 'A malformed parameter: `{"error": {"code", "message"}}`'},
    422: {"description": 'A parameter of the wrong type: `{"error": {"code", "message"}}`'},
}
_TRUE = ("1", "true", "on", "yes")

Q = Annotated[str, Query(description="The query: plain words (no operators).")]
Limit = Annotated[
    int | None, Query(description="Results per page, 1 to the `max_page_size` setting.")
]


def _services(request: Request) -> Services:
    return request.app.state.services


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def hit_object(hit: SearchHit) -> dict[str, Any]:
    paper, why = hit.paper, hit.rationale
    return {
        "paper": paper_object(paper),
        "score": round(hit.score, 6),
        "keyword_rank": hit.keyword_rank,
        "semantic_rank": hit.semantic_rank,
        "similarity": _round(hit.similarity),
        "rationale": {
            "matched_terms": list(why.matched_terms),
            "title_spans": [[s.start, s.end] for s in why.title_spans],
            "abstract_spans": [[s.start, s.end] for s in why.abstract_spans],
            "sentence": [why.sentence.start, why.sentence.end] if why.sentence else None,
            "sentence_text": why.sentence_text(paper),
            "sentence_similarity": _round(why.sentence_similarity),
            "summary": why.summary,
        },
    }


@router.get(
    "/papers/search",
    summary="Search papers (Hugging Face's /api/papers/search)",
    description=(
        "A JSON list in the shape of `https://huggingface.co/api/papers/search`: hybrid "
        "(keyword + semantic) search, best match first."
    ),
    responses={200: {"model": list[HfSearchItem]}, **hf_errors(400, 422)},
)
def hf_search(request: Request, q: Q = "", limit: Limit = None) -> JSONResponse:
    services = _services(request)
    page = services.search.search(q, limit=limit, explain_hits=False)
    firsts = services.feed.first_features([hit.paper.arxiv_id for hit in page.hits])
    return JSONResponse([search_item(h.paper, firsts.get(h.paper.arxiv_id)) for h in page.hits])


@router.get(
    "/search",
    summary="Search papers, with why each matched",
    description=(
        "Hybrid, keyword or semantic search with filters. Each hit carries its rationale: the "
        "character spans of the query's words in the title and abstract, and for semantic "
        "matches the abstract sentence closest to the query. `mode_used` is `keyword` (and "
        "`notice` says why) while no paper has been embedded."
    ),
    responses=_ERRORS,
)
def search(
    request: Request,
    q: Q = "",
    mode: Annotated[str, Query(description="hybrid, keyword or semantic.")] = "hybrid",
    sort: Annotated[str, Query(description="relevance, newest or upvotes.")] = "relevance",
    published_from: Annotated[
        str | None, Query(alias="from", description="Published on/after, YYYY-MM-DD.")
    ] = None,
    published_to: Annotated[
        str | None, Query(alias="to", description="Published on/before, YYYY-MM-DD.")
    ] = None,
    category: Annotated[str | None, Query(description="An arXiv category, e.g. cs.CL.")] = None,
    has_code: Annotated[str | None, Query(description="1: only papers with code.")] = None,
    p: Annotated[int, Query(description="Page number, from 0.")] = 0,
    limit: Limit = None,
) -> JSONResponse:
    filters = SearchFilters(
        published_from=_day("from", published_from),
        published_to=_day("to", published_to),
        category=(category or "").strip() or None,
        has_code=(has_code or "").strip().lower() in _TRUE,
    )
    page = _services(request).search.search(
        q,
        mode=cast(SearchMode, mode),
        sort=cast(SearchSort, sort),
        filters=filters,
        page=p,
        limit=limit,
    )
    return JSONResponse(
        {
            "query": page.query,
            "mode": page.mode,
            "mode_used": page.mode_used,
            "notice": page.notice,
            "sort": page.sort,
            "total": page.total,
            "page": page.page,
            "limit": page.limit,
            "took_ms": page.took_ms,
            "hits": [hit_object(hit) for hit in page.hits],
        }
    )
