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

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from dailypapers import config
from dailypapers.services.accounts import AccountService
from dailypapers.services.auth import AuthService
from dailypapers.services.collections import CollectionService
from dailypapers.services.comments import CommentService
from dailypapers.services.digests import DigestService
from dailypapers.services.feedback_links import FeedbackLinkService
from dailypapers.services.keyphrases import KeyphraseService
from dailypapers.services.listings import ListingService
from dailypapers.services.moderation import ModerationService
from dailypapers.services.profiles import ProfileService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.search import SearchService
from dailypapers.services.submissions import SubmissionService
from dailypapers.services.subscriptions import SubscriptionService
from dailypapers.services.syndication import SyndicationService
from dailypapers.services.votes import VoteService

T = TypeVar("T")


def _site(request: Request) -> Any:
    return request.app.state.services


def site_settings(request: Request) -> config.SiteSettings:
    return _site(request).settings.site


def community_settings(request: Request) -> config.CommunitySettings:
    return _site(request).settings.community


def digest_settings(request: Request) -> config.DigestSettings:
    return _site(request).settings.digests


def search_settings(request: Request) -> config.SearchSettings:
    return _site(request).settings.search


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


def keyphrases(request: Request) -> KeyphraseService:
    return _site(request).keyphrases


def digests(request: Request) -> DigestService:
    return _site(request).digests


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


def _on_loop(getter: Callable[[Request], T]) -> Any:
    """`Depends(getter)`, awaited on the event loop. FastAPI runs a plain `def` dependency
    in the thread pool: measured here (2 cores), each such parameter added 0.1-0.2 ms to a
    request, for what is an attribute read, and a page names up to seven."""

    async def dependency(request: Request) -> T:
        return getter(request)

    return Depends(dependency)


# A route that shows a limit or a link reads its feature's settings section, never the whole.
SiteSettings = Annotated[config.SiteSettings, _on_loop(site_settings)]
CommunitySettings = Annotated[config.CommunitySettings, _on_loop(community_settings)]
DigestSettings = Annotated[config.DigestSettings, _on_loop(digest_settings)]
SearchSettings = Annotated[config.SearchSettings, _on_loop(search_settings)]
Listings = Annotated[ListingService, _on_loop(listings)]
Search = Annotated[SearchService, _on_loop(search)]
Syndication = Annotated[SyndicationService, _on_loop(syndication)]
Subscriptions = Annotated[SubscriptionService, _on_loop(subscriptions)]
Recommendations = Annotated[RecommendationService, _on_loop(recommendations)]
FeedbackLinks = Annotated[FeedbackLinkService, _on_loop(feedback_links)]
Keyphrases = Annotated[KeyphraseService, _on_loop(keyphrases)]
Digests = Annotated[DigestService, _on_loop(digests)]
Auth = Annotated[AuthService, _on_loop(auth)]
Accounts = Annotated[AccountService, _on_loop(accounts)]
Votes = Annotated[VoteService, _on_loop(votes)]
Submissions = Annotated[SubmissionService, _on_loop(submissions)]
Comments = Annotated[CommentService, _on_loop(comments)]
Collections = Annotated[CollectionService, _on_loop(collections)]
Profiles = Annotated[ProfileService, _on_loop(profiles)]
Moderation = Annotated[ModerationService, _on_loop(moderation)]
