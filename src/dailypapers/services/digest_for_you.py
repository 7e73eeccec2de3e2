"""The "For you" section of a digest: a subscriber's own recommendations, if they have any.

How a digest knows its reader: a subscription names an address, not an account
(`subscriptions.user_id` is kept for accounts that subscribe while logged in). A subscription
belongs to the account whose *verified* address it is sent to: both the subscription (double
opt-in) and the account (its verification link) proved control of that address, so the
recommendations, and the 👍/👎 links that act for the account, reach no one else. A disabled
account, an unverified one, or none: no section.

The section is ranked by the recommendations service (services/recommendations.py) over
the papers featured in the digest's own window, so a digest never recommends a paper older
than what it covers. A reader with no history and no follows (a cold start) gets no section:
trending papers already have theirs. Papers already mailed are left out by the digest ledger
like any other section's (domain.digests.select_items).
"""

from __future__ import annotations

from datetime import date

from dailypapers.domain.community import User
from dailypapers.domain.digests import Candidate, Reason, Subscription
from dailypapers.domain.recommendations import reason_line
from dailypapers.services.recommendations import RecommendationService
from dailypapers.storage.users import UserStore


class DigestForYou:
    def __init__(self, users: UserStore, recommendations: RecommendationService) -> None:
        self.users = users
        self.recommendations = recommendations

    def reader(self, subscription: Subscription) -> User | None:
        """The account this subscription's digests are for, or None."""
        user = (
            self.users.get(subscription.user_id)
            if subscription.user_id is not None
            else self.users.by_email(subscription.email)
        )
        if user is None or not user.email_verified or user.disabled:
            return None
        if user.email.lower() != subscription.email.lower():
            return None  # the account changed its address: the subscription is not its own
        return user

    def reader_id(self, subscription: Subscription) -> int | None:
        user = self.reader(subscription)
        return user.id if user is not None else None

    def candidates(
        self, subscription: Subscription, since: date, until: date, limit: int
    ) -> list[Candidate]:
        user = self.reader(subscription)
        if user is None:
            return []
        recs = self.recommendations.recommend(user, limit=limit, window=(since, until))
        if recs.cold_start:
            return []
        return [
            Candidate(r.paper, Reason("for_you", why=reason_line(r.reason))) for r in recs.items
        ]
