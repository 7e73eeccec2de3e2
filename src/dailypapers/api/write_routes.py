"""The write API: submit, upvote and comment with an API token.

Every write needs `Authorization: Bearer dp_...` (a token made on the /settings page): no
valid token is 401; a valid token acting on someone else's comment is 403. Cookies are never
read here, which is why these routes need no CSRF token. Comments can also be read here
without a token. Votes and comments come back in the presenters' shapes, the same the pages'
JSON twins and the upvote button use; the request bodies keep Hugging Face's field names
(`arxivId`, `comment`, `parentId`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dailypapers import deps
from dailypapers.api.hf_shape import paper_object
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import User
from dailypapers.errors import Unauthorized
from dailypapers.presenters.comments import comment_item
from dailypapers.presenters.comments import threads as shaped_threads
from dailypapers.presenters.votes import vote_state

router = APIRouter(prefix="/api", tags=["community"])

_bearer = HTTPBearer(auto_error=False, description="An API token from the /settings page.")
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API token."},
    403: {"description": "The token's user may not do this."},
    404: {"description": "No such paper or comment."},
}


def token_user(
    auth: deps.Auth,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    header = f"Bearer {credentials.credentials}" if credentials else None
    try:
        return auth.user_for_bearer(header)
    except Unauthorized as exc:
        raise HTTPException(401, exc.message, headers={"WWW-Authenticate": "Bearer"}) from None


TokenUser = Annotated[User, Depends(token_user)]


class IndexRequest(BaseModel):
    arxivId: str = Field(max_length=200, description="An arXiv id or URL.")


class CommentRequest(BaseModel):
    comment: str = Field(description="Markdown (a safe subset).")
    parentId: int | None = Field(None, description="Reply to this comment.")


class CommentEdit(BaseModel):
    comment: str = Field(description="The new text.")


@router.post(
    "/papers/index",
    summary="Submit a paper to today's daily page (Hugging Face's papers/index)",
    responses={**_ERRORS, 409: {"description": "The paper was already submitted."}},
)
def index_paper(submissions: deps.Submissions, body: IndexRequest, user: TokenUser) -> JSONResponse:
    item = submissions.submit(user, body.arxivId)
    return JSONResponse(
        paper_object(item.paper, submitted_at=item.submitted_at, submitted_by=item.submitted_by)
    )


@router.post("/papers/{arxiv_id:path}/upvote", summary="Upvote a paper", responses=_ERRORS)
def upvote(votes: deps.Votes, arxiv_id: str, user: TokenUser) -> JSONResponse:
    return JSONResponse(vote_state(votes.set_vote(user, arxiv_id, True)))


@router.delete("/papers/{arxiv_id:path}/upvote", summary="Take an upvote back", responses=_ERRORS)
def unvote(votes: deps.Votes, arxiv_id: str, user: TokenUser) -> JSONResponse:
    return JSONResponse(vote_state(votes.set_vote(user, arxiv_id, False)))


@router.get("/papers/{arxiv_id:path}/comments", summary="A paper's comments, as threads")
def comments(comments: deps.Comments, arxiv_id: str) -> JSONResponse:
    threads = comments.threads(parse_arxiv_id(arxiv_id).base)
    return JSONResponse(shaped_threads(threads))


@router.post(
    "/papers/{arxiv_id:path}/comments",
    summary="Comment on a paper (or reply, with parentId)",
    status_code=201,
    responses=_ERRORS,
)
def add_comment(
    comments: deps.Comments, arxiv_id: str, body: CommentRequest, user: TokenUser
) -> JSONResponse:
    comment = comments.add(user, arxiv_id, body.comment, parent_id=body.parentId)
    return JSONResponse(comment_item(comment, user), status_code=201)


class HfCommentRequest(BaseModel):
    comment: str = Field(description="Markdown (a safe subset), as HF's `comment` field.")


# Hugging Face's own comment routes, for clients written against HF: the same comment service
# and token as `/comments` above; errors in HF's shape (`api.hf_shape.is_hf_route`).
@router.post(
    "/papers/{arxiv_id:path}/comment/{comment_id}/reply",
    summary="Reply to a comment (Hugging Face's route)",
    status_code=201,
    responses=_ERRORS,
)
def hf_reply(
    comments: deps.Comments,
    arxiv_id: str,
    comment_id: int,
    body: HfCommentRequest,
    user: TokenUser,
) -> JSONResponse:
    comment = comments.add(user, arxiv_id, body.comment, parent_id=comment_id)
    return JSONResponse(comment_item(comment, user), status_code=201)


@router.post(
    "/papers/{arxiv_id:path}/comment",
    summary="Comment on a paper (Hugging Face's route)",
    status_code=201,
    responses=_ERRORS,
)
def hf_comment(
    comments: deps.Comments, arxiv_id: str, body: HfCommentRequest, user: TokenUser
) -> JSONResponse:
    comment = comments.add(user, arxiv_id, body.comment)
    return JSONResponse(comment_item(comment, user), status_code=201)


@router.patch("/comments/{comment_id}", summary="Edit your comment", responses=_ERRORS)
def edit_comment(
    comments: deps.Comments, comment_id: int, body: CommentEdit, user: TokenUser
) -> JSONResponse:
    comment = comments.edit(user, comment_id, body.comment)
    return JSONResponse(comment_item(comment, user))


@router.delete("/comments/{comment_id}", summary="Delete your comment", responses=_ERRORS)
def delete_comment(comments: deps.Comments, comment_id: int, user: TokenUser) -> JSONResponse:
    comments.delete(user, comment_id)
    return JSONResponse({"id": comment_id, "deleted": True})
