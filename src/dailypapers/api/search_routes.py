"""`/api/papers/search` (Hugging Face's shape) and `/api/search` (ours, with rationales).

Routes take their parameters as declared in `deps.search_params` (`/api/search` the same
ones as the search page) and call `SearchService.search` once, which checks them.
`/api/papers/search` answers in Hugging Face's shape (`hf_shape`); `/api/search` answers each
hit in the shape the search page's JSON twin has (`presenters.search_hits`: the paper card,
scores, rationale), and what the page says about a search that found nothing (`emptied_by`,
`broader`, `suggestion`). Errors (`BadRequest` for an over-long query, a bad date, an unknown
mode or sort) are raised and turned into `{"error": {"code", "message"}}` by the app's
exception translator.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dailypapers import deps
from dailypapers.api.hf_schemas import HfSearchItem, hf_errors
from dailypapers.api.hf_shape import search_item
from dailypapers.deps.params import PageSize
from dailypapers.deps.search_params import Q, SearchParams
from dailypapers.domain.search import SearchMode, SearchSort
from dailypapers.presenters.search_hits import search_results

router = APIRouter(prefix="/api", tags=["search"])

_ERRORS = {
    400: {"description": 'A malformed parameter: `{"error": {"code", "message"}}`'},
    422: {"description": 'A parameter of the wrong type: `{"error": {"code", "message"}}`'},
}


class AskedFilters(BaseModel):
    published_from: str | None = Field(alias="from", description="Published on/after.")
    published_to: str | None = Field(alias="to", description="Published on/before.")
    category: str | None = Field(description="An arXiv category, e.g. cs.CL.")
    has_code: bool = Field(description="Only papers with code.")


class BroaderSearch(BaseModel):
    """A search to try instead of one that found nothing (its `mode` and `filters` replace
    the asked ones; `sort` and `limit` stay)."""

    label: str = Field(description="How it is broader, for a person.")
    query: str
    mode: SearchMode
    filters: AskedFilters


class KeyphraseFacet(BaseModel):
    phrase: str
    count: int = Field(description="How many of the page's hits carry it.")


class SearchResults(BaseModel):
    """The body of `GET /api/search` (documentation: the route returns
    `presenters.search_hits.search_results`; tests check live answers against it)."""

    query: str
    mode: SearchMode = Field(description="What was asked for.")
    mode_used: SearchMode = Field(description="What ran: `keyword` while nothing is embedded.")
    embedded_fraction: float | None = Field(description="Share of papers with a vector.")
    opened: str | None = Field(description="The arXiv id the query named, put first.")
    notice: str | None = Field(description="Why `mode_used` differs from `mode`, etc.")
    sort: SearchSort
    filters: AskedFilters
    total: int
    page: int
    pages: int
    limit: int
    took_ms: float
    hits: list[dict[str, Any]] = Field(
        description="Each hit as the search page's JSON twin has it: the paper card, `rank`, "
        "`score`, `keyword_rank`, `semantic_rank`, `similarity`, `rationale`, `title_html`, "
        "`snippet_html`."
    )
    keyphrase_facets: list[KeyphraseFacet]
    suggestion: str | None = Field(
        description="No paper holds the query's words: the query spelled as titles spell it."
    )
    emptied_by: str | None = Field(
        description="Nothing found: the filters that left none (null when the words alone "
        "find nothing)."
    )
    broader: BroaderSearch | None = Field(description="Nothing found: a broader search.")


@router.get(
    "/papers/search",
    summary="Search papers (Hugging Face's /api/papers/search)",
    description=(
        "A JSON list in the shape of `https://huggingface.co/api/papers/search`: hybrid "
        "(keyword + semantic) search, best match first."
    ),
    responses={200: {"model": list[HfSearchItem]}, **hf_errors(400, 422)},
)
def hf_search(
    search: deps.Search, listings: deps.Listings, q: Q = "", limit: PageSize = None
) -> JSONResponse:
    page = search.search(q, limit=limit, explain_hits=False)
    firsts = listings.first_features([hit.paper.arxiv_id for hit in page.hits])
    return JSONResponse([search_item(h.paper, firsts.get(h.paper.arxiv_id)) for h in page.hits])


@router.get(
    "/search",
    summary="Search papers, with why each matched",
    description=(
        "Hybrid, keyword or semantic search with filters. Each hit carries its rationale: the "
        "character spans of the query's words in the title and abstract, and for semantic "
        "matches the abstract sentence closest to the query. `mode_used` is `keyword` (and "
        "`notice` says why) while no paper has been embedded; `embedded_fraction` is the share "
        "of papers with a vector (the rest rank on their words alone). A query that is an "
        "arXiv id or abs/pdf/HF URL puts that paper first and names it in `opened`; an exact "
        "title puts its paper first."
    ),
    responses={200: {"model": SearchResults}, **_ERRORS},
)
def search(asked: SearchParams, search: deps.Search) -> JSONResponse:
    page = search.search(
        asked.query,
        mode=asked.mode,
        sort=asked.sort,
        filters=asked.filters,
        page=asked.page,
        limit=asked.limit,
    )
    return JSONResponse(search_results(page))
