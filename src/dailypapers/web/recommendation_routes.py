"""For you (`/for-you`), 👍/👎 on a recommendation, authors' pages and following them, and
following arXiv categories (`/follow-category`, from the cold-start prompt and the learned
page).

The page and its JSON twin come from `pages.respond`; the forms POST (CSRF-checked by
`SessionMiddleware`) and answer with a redirect back, or with JSON when a script asks
(static/recommendations.js removes a 👎'd card at once, then reloads the ranking so the
papers like it move down). A logged-out visitor sees trending papers and a prompt.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from dailypapers import deps
from dailypapers.errors import BadRequest
from dailypapers.presenters.recommendations import (
    author_page,
    author_url,
    for_you_page,
    learned_page,
)
from dailypapers.web.account_routes import require_user
from dailypapers.web.pages import back, respond, viewer_upvoted
from dailypapers.web.sessions import current_user

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
VERDICTS = {"up": 1, "down": -1, "clear": None}


@router.get("/for-you")
def for_you(request: Request, service: deps.Recommendations, limit: int | None = None):
    user = current_user(request)
    recs = service.recommend(user, limit=limit)
    upvoted = viewer_upvoted(request, [r.paper.arxiv_id for r in recs.items])
    choices = service.category_choices() if recs.cold_start and user is not None else None
    model = for_you_page(
        recs, upvoted=upvoted, logged_in=user is not None, category_choices=choices
    )
    return respond(request, "for_you.html", model)


@router.get("/for-you/learned")
def learned(request: Request, service: deps.Recommendations):
    """What the system learned about me: verdicts, follows, keyphrases, categories."""
    model = learned_page(service.learned(require_user(request)))
    return respond(request, "for_you_learned.html", model)


@router.post("/for-you/reset")
def reset(request: Request, service: deps.Recommendations, next: FormText = ""):
    """Forget every 👍/👎 and followed author."""
    removed = service.reset(current_user(request))
    return back(request, next, "/for-you/learned", {"removed": removed})


@router.post("/for-you/feedback")
def feedback(
    request: Request,
    service: deps.Recommendations,
    arxiv_id: FormText = "",
    verdict: FormText = "",
    next: FormText = "",
):
    """`verdict=up` (👍: counts like an upvote), `down` (👎: not interested), `clear`."""
    if verdict not in VERDICTS:
        raise BadRequest("verdict must be up, down or clear")
    service.set_feedback(current_user(request), arxiv_id, VERDICTS[verdict])
    return back(request, next, "/for-you", {"id": arxiv_id, "verdict": verdict})


@router.get("/authors/{name:path}")
def author(request: Request, recs: deps.Recommendations, name: str):
    papers, total = recs.author(name)
    name = " ".join(name.split())
    following = name.casefold() in {a.casefold() for a in recs.followed(current_user(request))}
    model = author_page(
        name,
        papers,
        total,
        following=following,
        upvoted=viewer_upvoted(request, [p.arxiv_id for p in papers]),
    )
    return respond(request, "author.html", model)


@router.post("/follow-author")
def follow_author(
    request: Request,
    service: deps.Recommendations,
    author: FormText = "",
    follow: FormText = "1",
    next: FormText = "",
):
    """`follow=1` follows the author, `follow=0` stops following."""
    on = follow in ("1", "on", "true", "yes")
    service.follow(current_user(request), author, on)
    return back(request, next, author_url(author), {"author": author, "following": on})


@router.post("/follow-category")
def follow_category(
    request: Request,
    service: deps.Recommendations,
    category: FormText = "",
    follow: FormText = "1",
    next: FormText = "",
):
    """`follow=1` follows the arXiv category (`cs.CL`), `follow=0` stops following."""
    on = follow in ("1", "on", "true", "yes")
    name = service.follow_category(current_user(request), category, on)
    return back(request, next, "/for-you/learned", {"category": name, "following": on})
