"""The community services in one bundle, wired by `bootstrap` (`services.community`).

services.community.auth          who is asking: sessions, CSRF, logins, API tokens
services.community.accounts      sign-up, verification, password reset, settings
services.community.votes         upvotes
services.community.submissions   submitting a paper to today's page
services.community.comments      discussion
services.community.collections   reading lists
services.community.profiles      /u/{username}
services.community.moderation    admin switches
"""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config import Settings
from dailypapers.mail.mailer import Mailer
from dailypapers.services.accounts import AccountService
from dailypapers.services.auth import AuthService, PasswordHashing
from dailypapers.services.clock import Clock
from dailypapers.services.collections import CollectionService
from dailypapers.services.comments import CommentService
from dailypapers.services.profiles import ModerationService, ProfileService
from dailypapers.services.submissions import PaperFetcher, SubmissionService
from dailypapers.services.votes import VoteService
from dailypapers.storage.collections import CollectionStore
from dailypapers.storage.comments import CommentStore
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.sessions import SessionStore
from dailypapers.storage.submissions import SubmissionStore
from dailypapers.storage.users import UserStore
from dailypapers.storage.votes import VoteStore


@dataclass
class Community:
    auth: AuthService
    accounts: AccountService
    votes: VoteService
    submissions: SubmissionService
    comments: CommentService
    collections: CollectionService
    profiles: ProfileService
    moderation: ModerationService


def build_community(
    settings: Settings,
    db: Database,
    papers: PaperStore,
    clock: Clock,
    *,
    mailer: Mailer,
    paper_fetcher: PaperFetcher | None = None,
) -> Community:
    users = UserStore(db)
    rate_limits = RateLimitStore(db)
    passwords = PasswordHashing(settings)
    vote_store = VoteStore(db)
    comment_store = CommentStore(db)
    accounts = AccountService(settings, users, rate_limits, passwords, mailer, clock)
    submissions = SubmissionService(
        settings, papers, SubmissionStore(db), clock, fetcher=paper_fetcher
    )
    collections = CollectionService(settings, papers, CollectionStore(db), clock)
    return Community(
        auth=AuthService(settings, users, SessionStore(db), rate_limits, passwords, clock),
        accounts=accounts,
        votes=VoteService(settings, vote_store, clock),
        submissions=submissions,
        comments=CommentService(settings, papers, comment_store, clock),
        collections=collections,
        profiles=ProfileService(settings, users, vote_store, submissions, collections),
        moderation=ModerationService(papers, comment_store, accounts),
    )
