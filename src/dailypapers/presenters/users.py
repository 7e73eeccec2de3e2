"""The viewer (who is logged in, shown in every page's header) and a user's profile."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from dailypapers.domain.community import Collection, User
from dailypapers.domain.papers import ListingItem, Paper
from dailypapers.presenters.collections import collection_item
from dailypapers.presenters.comments import user_url
from dailypapers.presenters.listing_items import listing_item
from dailypapers.presenters.papers import paper_card


def viewer(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"username": user.username, "url": user_url(user.username), "is_admin": user.is_admin}


def profile_page(
    user: User,
    *,
    mine: bool,
    submissions: Iterable[ListingItem],
    upvotes: Iterable[tuple[Paper, datetime]] | None,
    collections: Iterable[Collection],
    upvoted: set[str],
) -> dict[str, Any]:
    """`upvotes` None: the user keeps their upvotes private. `upvoted`: the ids of the shown
    papers that the viewer upvoted."""
    return {
        "username": user.username,
        "url": user_url(user.username),
        "local_account": True,
        "mine": mine,
        "is_admin": user.is_admin,
        "disabled": user.disabled,
        "joined": user.created_at.isoformat() if user.created_at else None,
        "submissions": [listing_item(i, upvoted=i.paper.arxiv_id in upvoted) for i in submissions],
        "upvotes_public": upvotes is not None,
        "upvotes": (
            [
                {**paper_card(p, upvoted=p.arxiv_id in upvoted), "voted_at": at.isoformat()}
                for p, at in upvotes
            ]
            if upvotes is not None
            else None
        ),
        "collections": [collection_item(c) for c in collections],
    }


def submitter_page(
    username: str, submissions: Iterable[ListingItem], upvoted: set[str]
) -> dict[str, Any]:
    """A submitter known only from imported data: their submissions, and that they have no
    account here (so no upvotes or collections to show)."""
    return {
        "username": username,
        "url": user_url(username),
        "local_account": False,
        "mine": False,
        "note": (
            "Not an account on this site: these submissions come from imported Hugging Face data."
        ),
        "submissions": [listing_item(i, upvoted=i.paper.arxiv_id in upvoted) for i in submissions],
    }
