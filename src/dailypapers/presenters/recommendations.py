"""Shapes for recommendations and authors: the For-you page, its JSON twin, the API.

A recommendation is a paper card plus its reason: the one line (`why`) and what it was made
from (the history papers it is near, the followed authors, the shared keyphrases), so a
client can show the line or build its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from dailypapers.domain.digests import FeedbackLinkState
from dailypapers.domain.papers import Paper
from dailypapers.domain.recommendations import (
    Learned,
    Recommendation,
    Recommendations,
    reason_line,
)
from dailypapers.presenters.papers import paper_card, paper_url


def author_url(name: str) -> str:
    return "/authors/" + quote(name, safe="")


def recommendation_item(rec: Recommendation, *, upvoted: bool = False) -> dict[str, Any]:
    reason = rec.reason
    return {
        **paper_card(rec.paper, upvoted=upvoted),
        "score": round(rec.score, 4),
        "why": reason_line(reason),
        "reason": {
            "kind": reason.kind,
            "because": [
                {
                    "id": n.arxiv_id,
                    "url": paper_url(n.arxiv_id),
                    "title": n.title,
                    "source": n.source,
                    "similarity": n.similarity,
                }
                for n in reason.neighbours
            ],
            "followed_authors": [{"name": a, "url": author_url(a)} for a in reason.authors],
            "keyphrases": list(reason.keyphrases),
            "followed_categories": list(reason.categories),
        },
    }


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def for_you_page(
    recs: Recommendations,
    *,
    upvoted: set[str],
    logged_in: bool,
    category_choices: list[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """The For-you page: ranked recommendations, or trending papers and a prompt (with the
    window's categories to follow, `category_choices`, for a reader starting out)."""
    start, end = recs.window or (None, None)
    return {
        "logged_in": logged_in,
        "cold_start": recs.cold_start,
        "window": {"start": _day(start), "end": _day(end)},
        "history_size": recs.history_size,
        "followed_authors": [{"name": a, "url": author_url(a)} for a in recs.followed],
        "followed_categories": list(recs.followed_categories),
        "category_choices": [{"category": c, "papers": n} for c, n in category_choices or []],
        "recommendations": [
            recommendation_item(r, upvoted=r.paper.arxiv_id in upvoted) for r in recs.items
        ],
    }


def author_page(
    name: str, papers: list[Paper], total: int, *, following: bool, upvoted: set[str]
) -> dict[str, Any]:
    """An author's page: their papers here, newest first, with counts."""
    return {
        "name": name,
        "url": author_url(name),
        "following": following,
        "total": total,
        "upvotes": sum(p.upvotes for p in papers),
        "papers": [paper_card(p, upvoted=p.arxiv_id in upvoted) for p in papers],
    }


def learned_page(learned: Learned) -> dict[str, Any]:
    """What the system learned about the reader, each part removable."""
    return {
        "history_size": learned.history_size,
        "liked": [paper_card(p) for p in learned.liked],
        "disliked": [paper_card(p) for p in learned.disliked],
        "followed_authors": [{"name": a, "url": author_url(a)} for a in learned.followed],
        "keyphrases": [{"phrase": k, "papers": n} for k, n in learned.keyphrases],
        "categories": [
            {"category": c, "papers": n, "following": c in learned.followed_categories}
            for c, n in learned.categories
        ],
        "followed_categories": list(learned.followed_categories),
    }


FEEDBACK_ACTIONS = {1: ("up", "More like this"), -1: ("down", "Not interested")}


def feedback_link_page(state: FeedbackLinkState) -> dict[str, Any]:
    """A digest's 👍/👎 link: the paper, the verdict, and whether it is recorded yet."""
    verdict, action = FEEDBACK_ACTIONS[state.verdict]
    return {
        "status": state.status,
        "verdict": verdict,
        "action": action,
        "paper": {
            "id": state.paper.arxiv_id,
            "url": paper_url(state.paper.arxiv_id),
            "title": state.paper.title,
        },
        "for_you_url": "/for-you",
    }
