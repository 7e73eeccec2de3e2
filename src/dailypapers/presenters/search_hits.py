"""A search hit: the paper card, its scores, and why it matched (its rationale).

The rationale has one shape everywhere (the page, its JSON twin, `/api/search`, the CLI's
`--json`): the summary sentence, the matched terms, the character spans of those terms in
the title and abstract, and for a match by meaning the abstract sentence closest to the
query (`sentence` its span, `sentence_text` its words, `sentence_similarity`).
`title_html` and `snippet_html` are the title and an abstract window with the matched spans
in `<mark>`, every piece of text escaped here, so a template never marks raw text safe. Both
show TeX as the rest of the site does (`domain.tex`: formulas as MathML); a match inside a
formula marks the whole formula, and the snippet's window never cuts a formula in two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from dailypapers.domain import tex
from dailypapers.domain.papers import Paper
from dailypapers.domain.search import (
    BroaderSearch,
    Rationale,
    SearchFilters,
    SearchHit,
    SearchPage,
    Span,
)
from dailypapers.presenters.papers import paper_card

SNIPPET_CHARS = 280
SNIPPET_LEAD = 80  # characters of context kept before the first match


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def highlight(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> Markup:
    """`text[start:end]` as HTML (TeX typeset, all text escaped), the spans in `<mark>`."""
    end = len(text) if end is None else end
    marks = [(span.start - start, span.end - start) for span in spans]
    return Markup(tex.to_html(text[start:end], marks))


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
    return tex.safe_window(text, start, end)


def snippet(text: str, spans: Sequence[Span]) -> Markup:
    start, end = snippet_window(text, spans)
    body = highlight(text, spans, start, end)
    lead = Markup("… ") if start > 0 else Markup("")
    tail = Markup(" …") if end < len(text) else Markup("")
    return lead + body + tail


def _spans(spans: Sequence[Span]) -> list[list[int]]:
    return [[s.start, s.end] for s in spans]


def rationale(why: Rationale, paper: Paper) -> dict[str, Any]:
    return {
        "summary": why.summary,
        "matched_terms": list(why.matched_terms),
        "title_spans": _spans(why.title_spans),
        "abstract_spans": _spans(why.abstract_spans),
        "sentence": [why.sentence.start, why.sentence.end] if why.sentence else None,
        "sentence_text": why.sentence_text(paper),
        "sentence_similarity": _round(why.sentence_similarity),
    }


def search_hit(hit: SearchHit, *, rank: int, upvoted: bool = False) -> dict[str, Any]:
    paper = hit.paper
    return {
        "rank": rank,
        **paper_card(paper, upvoted=upvoted),
        "score": round(hit.score, 6),
        "keyword_rank": hit.keyword_rank,
        "semantic_rank": hit.semantic_rank,
        "similarity": _round(hit.similarity),
        "rationale": rationale(hit.rationale, paper),
        "title_html": highlight(paper.title, hit.rationale.title_spans),
        "snippet_html": snippet(paper.abstract, hit.rationale.abstract_spans),
    }


def _filters(f: SearchFilters) -> dict[str, Any]:
    return {
        "from": f.published_from.isoformat() if f.published_from else None,
        "to": f.published_to.isoformat() if f.published_to else None,
        "category": f.category,
        "has_code": f.has_code,
    }


def broader(search: BroaderSearch) -> dict[str, Any]:
    return {
        "label": search.label,
        "query": search.query,
        "mode": search.mode,
        "filters": _filters(search.filters),
    }


def search_results(page: SearchPage) -> dict[str, Any]:
    """A page of results with what was asked: `/api/search` and the CLI's `search --json`.
    (The search page's JSON twin holds the same hits, and the same words about a search that
    found nothing, with the page's links around them.)"""
    first_rank = page.page * page.limit + 1
    return {
        "query": page.query,
        "mode": page.mode,
        "mode_used": page.mode_used,
        "embedded_fraction": page.embedded_fraction,
        "opened": page.opened,
        "notice": page.notice,
        "sort": page.sort,
        "filters": _filters(page.filters),
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "limit": page.limit,
        "took_ms": page.took_ms,
        "hits": [search_hit(hit, rank=first_rank + i) for i, hit in enumerate(page.hits)],
        "keyphrase_facets": [{"phrase": p, "count": n} for p, n in page.facets],
        "suggestion": page.suggestion,
        "emptied_by": page.emptied_by,
        "broader": broader(page.broader) if page.broader else None,
    }
