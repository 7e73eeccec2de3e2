"""The 👍/👎 links of digest mails, in the browser: no login and no JavaScript needed.

GET/POST /digest/feedback/{up|down}/{token}?paper={id}
    GET shows the paper and a button (mail scanners that open links change nothing);
    POST records the verdict once, then answers "already recorded" (services/feedback_links.py)

Like the subscription pages (web/subscription_routes.py), these are authorised by the secret
in their URL, not by a cookie: CSRF-exempt (app.py, `CSRF_EXEMPT_PATHS`), not cached, not
indexed, and no Referer carries the token onwards.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from dailypapers import deps
from dailypapers.presenters.recommendations import feedback_link_page
from dailypapers.web.pages import respond
from dailypapers.web.sessions import current_user
from dailypapers.web.subscription_routes import TOKEN_HEADERS

router = APIRouter(include_in_schema=False)

Paper = Annotated[str, Query(max_length=64, description="The paper the link is for.")]


@router.get("/digest/feedback/{verdict}/{token}")
def feedback_link(
    request: Request, service: deps.FeedbackLinks, verdict: str, token: str, paper: Paper = ""
) -> Response:
    state = service.show(token, verdict, paper, current_user(request))
    model = feedback_link_page(state)
    return respond(request, "subscriptions/feedback_link.html", model, headers=TOKEN_HEADERS)


@router.post("/digest/feedback/{verdict}/{token}")
async def use_feedback_link(
    request: Request, service: deps.FeedbackLinks, verdict: str, token: str, paper: Paper = ""
) -> Response:
    state = await run_in_threadpool(service.use, token, verdict, paper, current_user(request))
    model = feedback_link_page(state)
    return respond(request, "subscriptions/feedback_link.html", model, headers=TOKEN_HEADERS)
