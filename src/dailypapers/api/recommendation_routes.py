"""The recommendations API: a reader's For-you ranking, with reasons, and 👍/👎.

Like the write API it needs `Authorization: Bearer dp_...` (recommendations are personal)
and never reads cookies. Items are the For-you page's shape (presenters/recommendations.py):
a paper card plus `why` (one line) and `reason` (the history papers, followed authors and
keyphrases the line was made from).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dailypapers import deps
from dailypapers.api.write_routes import TokenUser
from dailypapers.deps.params import PageSize
from dailypapers.presenters.recommendations import for_you_page

router = APIRouter(prefix="/api", tags=["recommendations"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A bad `limit` or verdict."},
    401: {"description": "No valid API token."},
    404: {"description": "No such paper."},
}
_VERDICTS = {"up": 1, "down": -1, "clear": None}


class FeedbackRequest(BaseModel):
    arxivId: str = Field(max_length=200, description="An arXiv id or URL.")
    verdict: Literal["up", "down", "clear"] = Field(
        description="`up` (more like this), `down` (not interested) or `clear`."
    )


@router.get(
    "/recommendations",
    summary="Recent papers ranked for the token's user, each with why",
    responses=_ERRORS,
)
def recommendations(
    service: deps.Recommendations,
    votes: deps.Votes,
    user: TokenUser,
    limit: PageSize = None,
) -> JSONResponse:
    recs = service.recommend(user, limit=limit)
    upvoted = votes.voted(user, [r.paper.arxiv_id for r in recs.items])
    return JSONResponse(for_you_page(recs, upvoted=upvoted, logged_in=True))


@router.post(
    "/recommendations/feedback",
    summary="👍 or 👎 a paper for the token's user (or clear the verdict)",
    responses=_ERRORS,
)
def feedback(service: deps.Recommendations, user: TokenUser, body: FeedbackRequest) -> JSONResponse:
    service.set_feedback(user, body.arxivId, _VERDICTS[body.verdict])
    return JSONResponse({"id": body.arxivId, "verdict": body.verdict})
