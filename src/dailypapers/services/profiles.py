"""A user's public page.

The profile shows what the user submitted, what they upvoted (only if they made that public,
or to themselves) and their collections (public ones, or all of them to their owner). A
disabled user's profile is gone (404) for everyone but admins. A name with no account here
that imported data credits with submissions (a Hugging Face submitter) gets a
`SubmitterView`: those submissions, marked as not a local account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dailypapers.config import SiteSettings
from dailypapers.domain.community import Collection, User
from dailypapers.domain.papers import ListingItem, Paper
from dailypapers.errors import NotFound
from dailypapers.services.collections import CollectionService
from dailypapers.services.submissions import SubmissionService
from dailypapers.storage.users import UserStore
from dailypapers.storage.votes import VoteStore


@dataclass(frozen=True, slots=True)
class ProfileView:
    user: User
    mine: bool
    submissions: list[ListingItem]
    upvotes: list[tuple[Paper, datetime]] | None  # None: private
    collections: list[Collection]


@dataclass(frozen=True, slots=True)
class SubmitterView:
    """A submitter known only from imported data: no account, no upvotes, no collections."""

    username: str
    submissions: list[ListingItem]


class ProfileService:
    def __init__(
        self,
        settings: SiteSettings,
        users: UserStore,
        votes: VoteStore,
        submissions: SubmissionService,
        collections: CollectionService,
    ) -> None:
        self.settings = settings
        self.users = users
        self.votes = votes
        self.submissions = submissions
        self.collections = collections

    def profile(self, username: str, viewer: User | None) -> ProfileView | SubmitterView:
        user = self.users.by_username(username)
        is_admin = viewer is not None and viewer.is_admin
        if user is None:
            imported = self.submissions.imported_by(username, limit=self.settings.page_size)
            if imported:
                return SubmitterView(username, imported)
        if user is None or (user.disabled and not is_admin):
            raise NotFound(f"there is no user {username!r}")
        mine = viewer is not None and viewer.id == user.id
        limit = self.settings.page_size
        upvotes = (
            self.votes.upvoted_by(user.id, limit=limit) if user.upvotes_public or mine else None
        )
        return ProfileView(
            user=user,
            mine=mine,
            submissions=self.submissions.by_user(user.username, limit=limit),
            upvotes=upvotes,
            collections=self.collections.of_user(user, viewer),
        )
