"""A paper's shape: the card in every list, and the whole paper page.

Dates are ISO strings; templates format them for people. Every paper, wherever it is shown,
carries `upvoted`: whether the viewer upvoted it (False for a logged-out visitor), which the
route loads for the whole page at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dailypapers.domain.arxiv_ids import abs_url, pdf_url
from dailypapers.domain.papers import DailyEntry, Paper
from dailypapers.domain.search import SimilarPaper

AUTHORS_SHOWN = 3


def paper_url(arxiv_id: str) -> str:
    return f"/papers/{arxiv_id}"


def day_url(day: str) -> str:
    return f"/date/{day}"


def short_authors(authors: Sequence[str], shown: int = AUTHORS_SHOWN) -> str:
    """The first few names, then "et al." when there are more."""
    names = list(authors)
    if len(names) <= shown + 1:
        return ", ".join(names)
    return ", ".join(names[:shown]) + " et al."


def paper_links(paper: Paper) -> dict[str, Any]:
    return {
        "abs_url": abs_url(paper.arxiv_id),
        "pdf_url": pdf_url(paper.arxiv_id),
        "github_repo": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
    }


def paper_card(paper: Paper, *, upvoted: bool = False) -> dict[str, Any]:
    """A paper in a list (day pages, search, profiles, collections)."""
    return {
        "id": paper.arxiv_id,
        "url": paper_url(paper.arxiv_id),
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "upvotes": paper.upvotes,
        "upvoted": upvoted,
        # counted like upvotes: Hugging Face's plus ours ("N on Hugging Face + M here")
        "comments": paper.comments,
        "external_comments": paper.external_comments or 0,
        "local_comments": paper.local_comments,
        "organization": paper.organization,
        "categories": list(paper.categories),
        "published_at": paper.published_at.isoformat() if paper.published_at else None,
        **paper_links(paper),
    }


def similar_paper(similar: SimilarPaper) -> dict[str, Any]:
    paper = similar.paper
    return {
        "id": paper.arxiv_id,
        "url": paper_url(paper.arxiv_id),
        "title": paper.title,
        "similarity": round(similar.similarity, 4),
        "reason": similar.reason,
    }


def paper_page(
    paper: Paper,
    entries: Sequence[DailyEntry],
    similar: Sequence[SimilarPaper],
    community: dict[str, Any],
    keyphrases: Sequence[str] = (),
) -> dict[str, Any]:
    """The paper page: the card's fields, its details, where it was featured, similar
    papers, and its community block (`comments.paper_community`). `keyphrases` are the
    computed ones (services/keyphrases.py), kept apart from HF's `ai_keywords`."""
    first = entries[0] if entries else None
    return {
        **paper_card(paper, upvoted=community["votes"]["upvoted"]),
        "version": paper.version,
        "submitted_by": first.submitted_by if first else None,
        "comment": paper.comment,
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "featured_on": [
            {
                "day": entry.day.isoformat(),
                "url": day_url(entry.day.isoformat()),
                "submitted_by": entry.submitted_by,
            }
            for entry in entries
        ],
        "ai_summary": paper.ai_summary,
        "ai_keywords": list(paper.ai_keywords) if paper.ai_keywords else [],
        "keyphrases": list(keyphrases),
        "similar": [similar_paper(s) for s in similar],
        "community": community,
    }
