"""A comment, a discussion's threads, and a paper's community block.

A deleted or hidden comment keeps its place in the thread (its replies stay) but shows no
author and no text. `html` is the comment's Markdown rendered and sanitised by
`domain.markup`, marked safe so templates show it as is; `body` is the Markdown source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from dailypapers.domain.community import (
    Collection,
    Comment,
    CommentThread,
    User,
    VoteState,
)
from dailypapers.domain.markup import render_comment
from dailypapers.presenters.collections import collection_item
from dailypapers.presenters.votes import vote_state


def user_url(username: str) -> str:
    return f"/u/{quote(username)}"


def comment_item(comment: Comment, viewer: User | None = None) -> dict[str, Any]:
    visible = comment.visible
    return {
        "id": comment.id,
        "paper_id": comment.arxiv_id,
        "parent_id": comment.parent_id,
        "author": comment.author if visible else None,
        "author_url": user_url(comment.author) if visible else None,
        "body": comment.body if visible else None,
        "html": Markup(render_comment(comment.body)) if visible else None,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at and visible else None,
        "deleted": comment.deleted,
        "hidden": comment.hidden,
        "mine": viewer is not None and visible and viewer.id == comment.user_id,
    }


def threads(found: Iterable[CommentThread], viewer: User | None = None) -> list[dict[str, Any]]:
    return [
        {
            **comment_item(t.comment, viewer),
            "replies": [comment_item(r, viewer) for r in t.replies],
        }
        for t in found
    ]


def comment_count(shaped: Sequence[dict[str, Any]]) -> int:
    """Comments shown with their text: removed ones hold their place but don't count."""
    return sum((0 if t["deleted"] or t["hidden"] else 1) + len(t["replies"]) for t in shaped)


def paper_community(
    *,
    votes: VoteState,
    found: Iterable[CommentThread],
    collections: Iterable[tuple[Collection, bool]],
    viewer: User | None,
    max_comment_chars: int,
) -> dict[str, Any]:
    """What a paper page shows of the community: the vote breakdown and the viewer's vote,
    the discussion, and the viewer's collections (each saying whether it holds the paper)."""
    shaped = threads(found, viewer)
    return {
        "votes": vote_state(votes),
        "threads": shaped,
        "comment_count": comment_count(shaped),
        "collections": [collection_item(c, contains=contains) for c, contains in collections],
        "can_comment": viewer is not None,
        "can_moderate": bool(viewer and viewer.is_admin),
        "max_comment_chars": max_comment_chars,
    }
