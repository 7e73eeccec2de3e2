"""How a route receives the use cases it calls: typed FastAPI dependencies.

`create_app(services)` keeps what `bootstrap` composed in `app.state.services`. A route names the
facade it needs as a parameter, `search: deps.Search`, and FastAPI hands it over; code that
runs outside a route's signature (a helper shared by several pages) calls the getter with the
request, `deps.votes(request)`. This is the one place that knows where the app keeps its
features: routes never reach into the composed site, and web and api (which may not import
each other) both import this module.

It sits between the routes and the services layer (pyproject's import-linter contract), so
it may import the services' types but nothing above them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from dailypapers.config import Settings
from dailypapers.services.accounts import AccountService
from dailypapers.services.auth import AuthService
from dailypapers.services.collections import CollectionService
from dailypapers.services.comments import CommentService
from dailypapers.services.feedback_links import FeedbackLinkService
from dailypapers.services.listings import ListingService
from dailypapers.services.moderation import ModerationService
from dailypapers.services.profiles import ProfileService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.search import SearchService
from dailypapers.services.submissions import SubmissionService
from dailypapers.services.subscriptions import SubscriptionService
from dailypapers.services.syndication import SyndicationService
from dailypapers.services.votes import VoteService


def _site(request: Request) -> Any:
    return request.app.state.services


def settings(request: Request) -> Settings:
    return _site(request).settings


def listings(request: Request) -> ListingService:
    return _site(request).listings


def search(request: Request) -> SearchService:
    return _site(request).search


def syndication(request: Request) -> SyndicationService:
    return _site(request).syndication


def subscriptions(request: Request) -> SubscriptionService:
    return _site(request).subscriptions


def recommendations(request: Request) -> RecommendationService:
    return _site(request).recommendations


def feedback_links(request: Request) -> FeedbackLinkService:
    return _site(request).feedback_links


def auth(request: Request) -> AuthService:
    return _site(request).community.auth


def accounts(request: Request) -> AccountService:
    return _site(request).community.accounts


def votes(request: Request) -> VoteService:
    return _site(request).community.votes


def submissions(request: Request) -> SubmissionService:
    return _site(request).community.submissions


def comments(request: Request) -> CommentService:
    return _site(request).community.comments


def collections(request: Request) -> CollectionService:
    return _site(request).community.collections


def profiles(request: Request) -> ProfileService:
    return _site(request).community.profiles


def moderation(request: Request) -> ModerationService:
    return _site(request).community.moderation


def data_version(request: Request) -> int:
    return _site(request).data_version.current()


SiteSettings = Annotated[Settings, Depends(settings)]
Listings = Annotated[ListingService, Depends(listings)]
Search = Annotated[SearchService, Depends(search)]
Syndication = Annotated[SyndicationService, Depends(syndication)]
Subscriptions = Annotated[SubscriptionService, Depends(subscriptions)]
Recommendations = Annotated[RecommendationService, Depends(recommendations)]
FeedbackLinks = Annotated[FeedbackLinkService, Depends(feedback_links)]
Auth = Annotated[AuthService, Depends(auth)]
Accounts = Annotated[AccountService, Depends(accounts)]
Votes = Annotated[VoteService, Depends(votes)]
Submissions = Annotated[SubmissionService, Depends(submissions)]
Comments = Annotated[CommentService, Depends(comments)]
Collections = Annotated[CollectionService, Depends(collections)]
Profiles = Annotated[ProfileService, Depends(profiles)]
Moderation = Annotated[ModerationService, Depends(moderation)]
