"""A paper in a digest mail (and the digest preview page, which shows the same dict).

The mail templates render these dicts as text and as HTML; `site_root` makes the paper's
link absolute, since a mail is read away from the site. `reasons` say why the paper is in
this digest; a search match carries the abstract window around the matched words as runs of
(text, matched) pieces, which the templates bold or star. Mail clients don't render MathML,
so the title, abstract and snippet have their TeX cleaned (`domain.tex.to_plain`: "$\\alpha$"
is "α", "\\emph{x}" is "x"), never a raw backslash.
"""

from __future__ import annotations

from typing import Any

from dailypapers.domain import tex
from dailypapers.domain.arxiv_ids import abs_url, pdf_url
from dailypapers.domain.digests import DigestItem, Reason, snippet, trim_text
from dailypapers.presenters.papers import paper_url, short_authors


def digest_reason(reason: Reason, abstract: str) -> dict[str, Any]:
    shaped: dict[str, Any] = {"kind": reason.kind, "text": reason.describe(), "snippet": None}
    if reason.kind == "query" and reason.abstract_spans:
        runs = snippet(abstract, reason.abstract_spans)
        shaped["snippet"] = [(tex.to_plain(piece), hit) for piece, hit in runs]
    return shaped


def digest_item(
    item: DigestItem, number: int, *, site_root: str, abstract_chars: int
) -> dict[str, Any]:
    paper = item.paper
    return {
        "number": number,
        "id": paper.arxiv_id,
        "title": tex.to_plain(" ".join(paper.title.split())),
        "authors": short_authors(paper.authors),
        "abstract": trim_text(tex.to_plain(paper.abstract), abstract_chars),
        "url": f"{site_root.rstrip('/')}{paper_url(paper.arxiv_id)}",
        "arxiv_url": abs_url(paper.arxiv_id),
        "pdf_url": pdf_url(paper.arxiv_id),
        "upvotes": paper.upvotes,
        "reasons": [digest_reason(r, paper.abstract) for r in item.reasons],
        "section": item.reasons[0].kind if item.reasons else "trending",
    }
