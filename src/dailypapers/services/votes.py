"""Upvotes: one per user per paper, cast or taken back; the page shows HF's count plus ours.

The counting itself (unique rows, `local_upvotes ± 1` in SQL, sort keys synced in the same
transaction) lives in `VoteStore`; this service checks who may vote.
"""

from __future__ import annotations

from collections.abc import Sequence

from dailypapers.config import CommunitySettings
from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.community import User, VoteState, require_contributor
from dailypapers.errors import NotFound
from dailypapers.services.clock import Clock
from dailypapers.storage.votes import VoteStore


class VoteService:
    def __init__(self, settings: CommunitySettings, votes: VoteStore, clock: Clock) -> None:
        self.settings = settings
        self.votes = votes
        self.clock = clock

    def set_vote(self, user: User | None, arxiv_id: str, on: bool) -> VoteState:
        """Upvote (`on`) or take the upvote back. Repeating either changes nothing."""
        user = require_contributor(
            user, verified_email_required=self.settings.require_verified_email
        )
        base = parse_arxiv_id(arxiv_id).base
        return self.votes.set_vote(user.id, base, on, now=self.clock())

    def voted(self, user: User | None, ids: Sequence[str]) -> set[str]:
        """Which of these papers the user has upvoted (none for a logged-out visitor)."""
        if user is None or not ids:
            return set()
        return self.votes.voted_among(user.id, ids)

    def tally(self, user: User | None, arxiv_id: str) -> VoteState:
        """Hugging Face's count and ours for a paper, kept apart; the page shows their sum."""
        base = parse_arxiv_id(arxiv_id).base
        state = self.votes.tally(base, user.id if user else None)
        if state is None:
            raise NotFound(f"paper {base} is not in this database")
        return state
