"""View models of the community pages, and the template helpers that put the community on
the existing pages (upvote buttons, comments, collections, the login links in the header).

The helpers are Jinja globals, registered on the one template environment when this module is
imported (app.py imports it through the routers):

    {{ csrf_input(request) }}                  the hidden CSRF field every POST form carries
    current_user(request)                      the logged-in User, or None
    has_upvoted(request, arxiv_id, view)       for list items; one query per page, not per item
    paper_community(request, arxiv_id)         votes, comments, collections for a paper page
    login_url(request)                         /login?next=<this page>
    here(request)                              this page's path and query (a form's `next`)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape
from starlette.requests import Request

from dailypapers.domain.community import Collection, Comment, CommentThread, User, VoteState
from dailypapers.domain.markup import render_comment
from dailypapers.domain.papers import FeedItem, Paper
from dailypapers.services.collections import CollectionView
from dailypapers.services.profiles import ProfileView
from dailypapers.web.rendering import templates
from dailypapers.web.sessions import CSRF_FIELD, csrf_token, current_user

_VOTED_CACHE = "dp_voted"


def safe_next(value: object, default: str = "/") -> str:
    """A same-site path to go back to after a form; anything else (other hosts, `//host`,
    `/\\host`, schemes, control characters) becomes `default`."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return default
    if value.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in value):
        return default
    return value


def here(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def login_url(request: Request) -> str:
    """Computed once per request: every logged-out vote button on a page links to it."""
    cached = getattr(request.state, "login_url", None)
    if cached is None:
        cached = request.state.login_url = "/login?" + urlencode({"next": here(request)})
    return cached


def csrf_input(request: Request) -> Markup:
    token = escape(csrf_token(request))
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')


def has_upvoted(request: Request, arxiv_id: str, view: object = None) -> bool:
    """Whether the viewer upvoted this paper. The first call of a request loads the votes for
    every item of the page's `view` at once."""
    user = current_user(request)
    if user is None:
        return False
    state = request.scope.setdefault("state", {})
    cache: dict[str, bool] = state.setdefault(_VOTED_CACHE, {})
    if arxiv_id not in cache:
        ids = {arxiv_id}
        items = view.get("items") if isinstance(view, dict) else None
        if isinstance(items, list):
            ids |= {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
        ids -= cache.keys()
        voted = request.app.state.services.community.votes.voted(user, sorted(ids))
        cache.update({i: i in voted for i in ids})
    return cache[arxiv_id]


def votes_dict(state: VoteState) -> dict[str, Any]:
    return {
        "id": state.arxiv_id,
        "voted": state.voted,
        "upvotes": state.upvotes,
        "localUpvotes": state.local_upvotes,
        "externalUpvotes": state.external_upvotes,
    }


def comment_dict(comment: Comment, viewer: User | None) -> dict[str, Any]:
    visible = comment.visible
    return {
        "id": comment.id,
        "paperId": comment.arxiv_id,
        "parentId": comment.parent_id,
        "author": comment.author if visible else None,
        "authorUrl": f"/u/{quote(comment.author)}" if visible else None,
        "body": comment.body if visible else None,
        "html": render_comment(comment.body) if visible else None,
        "createdAt": comment.created_at.isoformat(),
        "editedAt": comment.edited_at.isoformat() if comment.edited_at and visible else None,
        "deleted": comment.deleted,
        "hidden": comment.hidden,
        "mine": viewer is not None and visible and viewer.id == comment.user_id,
    }


def threads_list(threads: Iterable[CommentThread], viewer: User | None) -> list[dict[str, Any]]:
    return [
        {
            **comment_dict(t.comment, viewer),
            "replies": [comment_dict(r, viewer) for r in t.replies],
        }
        for t in threads
    ]


def collection_dict(collection: Collection) -> dict[str, Any]:
    return {
        "id": collection.id,
        "url": f"/collections/{collection.id}",
        "name": collection.name,
        "description": collection.description,
        "public": collection.is_public,
        "owner": collection.owner,
        "papers": collection.paper_count,
        "updatedAt": collection.updated_at.isoformat(),
    }


def paper_summary(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.arxiv_id,
        "url": f"/papers/{paper.arxiv_id}",
        "title": paper.title,
        "authors": list(paper.authors),
        "upvotes": paper.upvotes,
        "published_at": paper.published_at.isoformat() if paper.published_at else None,
    }


def paper_community(request: Request, arxiv_id: str) -> dict[str, Any]:
    """What a paper page shows of the community: the vote breakdown, the viewer's vote, the
    discussion and the viewer's collections."""
    community = request.app.state.services.community
    viewer = current_user(request)
    tally = community.votes.tally(viewer, arxiv_id)
    threads = threads_list(community.comments.threads(arxiv_id), viewer)
    return {
        "viewer": viewer.username if viewer else None,
        "is_admin": bool(viewer and viewer.is_admin),
        "votes": votes_dict(tally),
        "threads": threads,
        "comment_count": sum(
            (0 if t["deleted"] or t["hidden"] else 1) + len(t["replies"]) for t in threads
        ),
        "collections": [
            {**collection_dict(c), "contains": contains}
            for c, contains in community.collections.for_paper(viewer, arxiv_id)
        ],
        "next": here(request),
        "login_url": login_url(request),
        "max_comment_chars": request.app.state.services.settings.max_comment_chars,
    }


def render_comment_html(comment: dict[str, Any]) -> Markup:
    """A comment's sanitised HTML (see domain.markup), marked safe for the template."""
    return Markup(comment.get("html") or "")


# --- page models -------------------------------------------------------------------------
def _feed_item(item: FeedItem) -> dict[str, Any]:
    return {
        **paper_summary(item.paper),
        "featured_on": item.day.isoformat(),
        "submitted_at": item.submitted_at.isoformat() if item.submitted_at else None,
    }


def profile_page(view: ProfileView) -> dict[str, Any]:
    user = view.user
    return {
        "username": user.username,
        "url": f"/u/{quote(user.username)}",
        "mine": view.mine,
        "is_admin": user.is_admin,
        "disabled": user.disabled,
        "joined": user.created_at.isoformat() if user.created_at else None,
        "submissions": [_feed_item(i) for i in view.submissions],
        "upvotes_public": view.upvotes is not None,
        "upvotes": (
            [{**paper_summary(p), "voted_at": at.isoformat()} for p, at in view.upvotes]
            if view.upvotes is not None
            else None
        ),
        "collections": [collection_dict(c) for c in view.collections],
    }


def collection_page(view: CollectionView) -> dict[str, Any]:
    return {
        **collection_dict(view.collection),
        "owner_url": f"/u/{quote(view.collection.owner)}",
        "mine": view.mine,
        "items": [paper_summary(p) for p in view.papers],
    }


templates.env.globals.update(
    csrf_input=csrf_input,
    current_user=current_user,
    has_upvoted=has_upvoted,
    paper_community=paper_community,
    login_url=login_url,
    here=here,
    comment_html=render_comment_html,
)
