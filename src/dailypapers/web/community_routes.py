"""Community pages and form actions: upvote, submit, comment, collections, profiles, admin.

Forms POST (CSRF-checked by `SessionMiddleware`) and are answered with a redirect back
(`next`, same-site paths only), or with JSON when the request asks for it (the upvote
button's script does): the object the action changed, in its presenter's shape. Pages load
what they show (the viewer's upvotes included) and answer with `pages.respond`, so each has
its JSON twin (`?format=json`), like every page of the site.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from dailypapers import deps
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.errors import BadRequest, DailyPapersError, Forbidden, Unauthorized
from dailypapers.presenters.collections import collection_item, collection_page
from dailypapers.presenters.comments import comment_item
from dailypapers.presenters.users import profile_page, submitter_page
from dailypapers.presenters.votes import vote_state
from dailypapers.services.profiles import SubmitterView
from dailypapers.web.account_routes import require_user
from dailypapers.web.negotiation import wants_json
from dailypapers.web.pages import back, login_url, respond, viewer_upvoted
from dailypapers.web.sessions import current_user

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]


def _paper_url(arxiv_id: str) -> str:
    return f"/papers/{parse_arxiv_id(arxiv_id).base}"


def _flag(value: str) -> bool:
    return value in ("1", "on", "true", "yes")


def _int(value: str, what: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit() or len(value.strip()) > 18:
        raise BadRequest(f"{what} must be a number")
    return int(value)


# --- upvotes -------------------------------------------------------------------------------
@router.post("/papers/{arxiv_id:path}/upvote")
def upvote(
    request: Request, votes: deps.Votes, arxiv_id: str, vote: FormText = "1", next: FormText = ""
):
    """`vote=1` upvotes, `vote=0` takes the upvote back; the button sends the opposite of
    what it shows, so a double click can't flip it twice."""
    state = votes.set_vote(current_user(request), arxiv_id, _flag(vote))
    return back(request, next, _paper_url(arxiv_id), vote_state(state))


# --- submissions ---------------------------------------------------------------------------
@router.get("/submit")
def submit_form(request: Request, settings: deps.CommunitySettings, arxiv_id: str = ""):
    if current_user(request) is None:
        return RedirectResponse(login_url(request), status_code=303)
    days = settings.submission_max_age_days
    view = {"arxiv_id": arxiv_id[:200], "error": None, "max_age_days": days}
    return respond(request, "community/submit.html", view)


@router.post("/submit")
def submit(
    request: Request,
    submissions: deps.Submissions,
    settings: deps.CommunitySettings,
    arxiv_id: FormText = "",
):
    try:
        item = submissions.submit(current_user(request), arxiv_id)
    except DailyPapersError as exc:
        if wants_json(request):
            raise
        days = settings.submission_max_age_days
        view = {"arxiv_id": arxiv_id[:200], "error": exc.message, "max_age_days": days}
        return respond(request, "community/submit.html", view, status=exc.status)
    url = f"/papers/{item.paper.arxiv_id}"
    payload = {"id": item.paper.arxiv_id, "url": url, "day": item.day.isoformat()}
    return back(request, url, url, payload)


# --- comments ------------------------------------------------------------------------------
@router.post("/papers/{arxiv_id:path}/comments")
def add_comment(
    request: Request,
    comments: deps.Comments,
    arxiv_id: str,
    body: FormText = "",
    parent_id: FormText = "",
):
    user = current_user(request)
    comment = comments.add(user, arxiv_id, body, parent_id=_int(parent_id, "parent_id"))
    target = f"{_paper_url(arxiv_id)}#c{comment.id}"
    return back(request, target, target, comment_item(comment, user))


@router.get("/comments/{comment_id}/edit")
def edit_comment_form(request: Request, comments: deps.Comments, comment_id: int):
    comment = comments.get(comment_id)
    user = require_user(request)
    view = {**comment_item(comment, user), "paper_url": _paper_url(comment.arxiv_id)}
    if not view["mine"]:
        raise Forbidden("only its author may change this comment")
    return respond(request, "community/comment_edit.html", view)


@router.post("/comments/{comment_id}/edit")
def edit_comment(request: Request, comments: deps.Comments, comment_id: int, body: FormText = ""):
    user = current_user(request)
    comment = comments.edit(user, comment_id, body)
    target = f"{_paper_url(comment.arxiv_id)}#c{comment.id}"
    return back(request, target, target, comment_item(comment, user))


@router.post("/comments/{comment_id}/delete")
def delete_comment(request: Request, comments: deps.Comments, comment_id: int):
    comment = comments.delete(current_user(request), comment_id)
    target = _paper_url(comment.arxiv_id) + "#comments"
    return back(request, target, target)


# --- collections ---------------------------------------------------------------------------
@router.get("/collections")
def my_collections(
    request: Request, collections: deps.Collections, settings: deps.CommunitySettings
):
    user = current_user(request)
    if user is None and wants_json(request):  # a program gets a 401 it can act on
        raise Unauthorized("log in first")
    if user is None:
        return RedirectResponse(login_url(request), status_code=303)
    view = {
        "collections": [collection_item(c) for c in collections.of_user(user, user)],
        "max_name_chars": settings.max_collection_name_chars,
        "max_description_chars": settings.max_collection_description_chars,
    }
    return respond(request, "community/collections.html", view)


@router.post("/collections")
def create_collection(
    request: Request,
    collections: deps.Collections,
    name: FormText = "",
    description: FormText = "",
    public: FormText = "",
    arxiv_id: FormText = "",
    next: FormText = "",
):
    """A new collection; with `arxiv_id` (the paper page's form) the paper goes straight in."""
    user = current_user(request)
    collection = collections.create(user, name, description, public=_flag(public))
    if arxiv_id.strip():
        collections.add_paper(user, collection.id, arxiv_id)
    url = f"/collections/{collection.id}"
    return back(request, next, url, collection_item(collection))


@router.get("/collections/{collection_id}")
def collection(request: Request, collections: deps.Collections, collection_id: int):
    view = collections.view(current_user(request), collection_id)
    model = collection_page(
        view.collection,
        view.papers,
        mine=view.mine,
        upvoted=viewer_upvoted(request, (p.arxiv_id for p in view.papers)),
    )
    return respond(request, "community/collection.html", model)


@router.post("/collections/{collection_id}/edit")
def edit_collection(
    request: Request,
    collections: deps.Collections,
    collection_id: int,
    name: FormText = "",
    description: FormText = "",
    public: FormText = "",
):
    collection = collections.update(
        current_user(request), collection_id, name, description, _flag(public)
    )
    url = f"/collections/{collection.id}"
    return back(request, url, url, collection_item(collection))


@router.post("/collections/{collection_id}/delete")
def delete_collection(request: Request, collections: deps.Collections, collection_id: int):
    collections.delete(current_user(request), collection_id)
    return back(request, "/collections", "/collections")


@router.post("/collections/{collection_id}/papers")
def add_to_collection(
    request: Request,
    collections: deps.Collections,
    collection_id: int,
    arxiv_id: FormText = "",
    next: FormText = "",
):
    collection = collections.add_paper(current_user(request), collection_id, arxiv_id)
    return back(request, next, f"/collections/{collection.id}", collection_item(collection))


@router.post("/collections/{collection_id}/papers/remove")
def remove_from_collection(
    request: Request,
    collections: deps.Collections,
    collection_id: int,
    arxiv_id: FormText = "",
    next: FormText = "",
):
    collection = collections.remove_paper(current_user(request), collection_id, arxiv_id)
    return back(request, next, f"/collections/{collection.id}", collection_item(collection))


# --- profiles ------------------------------------------------------------------------------
@router.get("/u/{username}")
def profile(request: Request, profiles: deps.Profiles, username: str):
    view = profiles.profile(username, current_user(request))
    if isinstance(view, SubmitterView):
        ids = [i.paper.arxiv_id for i in view.submissions]
        model = submitter_page(view.username, view.submissions, viewer_upvoted(request, ids))
        return respond(request, "community/profile.html", model)
    shown = [i.paper.arxiv_id for i in view.submissions]
    shown += [p.arxiv_id for p, _ in view.upvotes or ()]
    model = profile_page(
        view.user,
        mine=view.mine,
        submissions=view.submissions,
        upvotes=view.upvotes,
        collections=view.collections,
        upvoted=viewer_upvoted(request, shown),
    )
    return respond(request, "community/profile.html", model)


# --- moderation ----------------------------------------------------------------------------
@router.get("/admin")
def admin_page(request: Request):
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden("only an admin may see this page")
    return respond(request, "community/admin.html", {"message": None})


@router.post("/admin/papers/hide")
def admin_hide_paper(
    request: Request,
    moderation: deps.Moderation,
    arxiv_id: FormText = "",
    hidden: FormText = "1",
    next: FormText = "",
):
    base = moderation.hide_paper(current_user(request), arxiv_id, _flag(hidden))
    return back(request, next, "/admin", {"id": base, "hidden": _flag(hidden)})


@router.post("/admin/comments/{comment_id}/hide")
def admin_hide_comment(
    request: Request,
    moderation: deps.Moderation,
    comment_id: int,
    hidden: FormText = "1",
    next: FormText = "",
):
    moderation.hide_comment(current_user(request), comment_id, _flag(hidden))
    return back(request, next, "/admin", {"id": comment_id, "hidden": _flag(hidden)})


@router.post("/admin/users/disable")
def admin_disable_user(
    request: Request,
    moderation: deps.Moderation,
    username: FormText = "",
    disabled: FormText = "1",
    next: FormText = "",
):
    user = moderation.disable_user(current_user(request), username, _flag(disabled))
    return back(request, next, "/admin", {"username": user.username, "disabled": user.disabled})
