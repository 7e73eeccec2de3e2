"""The community feature: accounts, sessions, votes, submissions, comments, collections,
profiles (/u/{username}) and moderation (admin switches)."""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config import CommunitySettings, SiteSettings
from dailypapers.mail.mailer import Mailer
from dailypapers.mail.messages import MailSite
from dailypapers.services.accounts import AccountService
from dailypapers.services.auth import AuthService, PasswordHashing
from dailypapers.services.clock import Clock
from dailypapers.services.collections import CollectionService
from dailypapers.services.comments import CommentService
from dailypapers.services.moderation import ModerationService
from dailypapers.services.profiles import ProfileService
from dailypapers.services.submissions import PaperFetcher, SubmissionService
from dailypapers.services.votes import VoteService
from dailypapers.services.wiring.storage import Storage
from dailypapers.storage.collections import CollectionStore
from dailypapers.storage.comments import CommentStore
from dailypapers.storage.sessions import SessionStore
from dailypapers.storage.submissions import SubmissionStore
from dailypapers.storage.votes import VoteStore


@dataclass(frozen=True)
class Community:
    auth: AuthService  # sessions, CSRF, logins, API tokens
    accounts: AccountService  # sign-up, verification, password reset, settings
    votes: VoteService
    submissions: SubmissionService
    comments: CommentService
    collections: CollectionService
    profiles: ProfileService
    moderation: ModerationService


def build_community(
    settings: CommunitySettings,
    site: SiteSettings,
    storage: Storage,
    clock: Clock,
    *,
    mailer: Mailer,
    mail_site: MailSite,
    paper_fetcher: PaperFetcher | None = None,
) -> Community:
    db, papers, users = storage.db, storage.papers, storage.users
    passwords = PasswordHashing(settings)
    vote_store, comment_store = VoteStore(db), CommentStore(db)
    accounts = AccountService(
        settings, users, storage.rate_limits, passwords, mailer, clock, mail_site
    )
    submissions = SubmissionService(
        settings, papers, SubmissionStore(db), clock, fetcher=paper_fetcher
    )
    collections = CollectionService(settings, papers, CollectionStore(db), clock)
    auth = AuthService(
        settings,
        users,
        SessionStore(db),
        storage.rate_limits,
        passwords,
        clock,
        base_url=site.base_url,
    )
    return Community(
        auth=auth,
        accounts=accounts,
        votes=VoteService(settings, vote_store, clock),
        submissions=submissions,
        comments=CommentService(settings, papers, comment_store, clock),
        collections=collections,
        profiles=ProfileService(site, users, vote_store, submissions, collections),
        moderation=ModerationService(papers, comment_store, accounts),
    )
