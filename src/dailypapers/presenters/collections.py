"""A collection (a reading list), alone or as a page with its papers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from dailypapers.domain.community import Collection
from dailypapers.domain.papers import Paper
from dailypapers.presenters.papers import paper_card


def collection_url(collection_id: int) -> str:
    return f"/collections/{collection_id}"


def collection_item(collection: Collection, *, contains: bool | None = None) -> dict[str, Any]:
    """`contains`: whether it holds the paper of the page it is listed on (paper pages)."""
    shaped: dict[str, Any] = {
        "id": collection.id,
        "url": collection_url(collection.id),
        "name": collection.name,
        "description": collection.description,
        "public": collection.is_public,
        "owner": collection.owner,
        "owner_url": f"/u/{quote(collection.owner)}",
        "papers": collection.paper_count,
        "updated_at": collection.updated_at.isoformat(),
    }
    if contains is not None:
        shaped["contains"] = contains
    return shaped


def collection_page(
    collection: Collection, papers: Iterable[Paper], *, mine: bool, upvoted: set[str]
) -> dict[str, Any]:
    return {
        **collection_item(collection),
        "mine": mine,
        "items": [paper_card(p, upvoted=p.arxiv_id in upvoted) for p in papers],
    }
