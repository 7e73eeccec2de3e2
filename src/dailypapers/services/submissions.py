"""Submitting a paper to today's daily page, as on Hugging Face ("submitted by @user").

A paper can be submitted once (a paper already featured on any day, imported or local, is
refused), only while it is recent (`submission_max_age_days` since its arXiv publication),
and lands on *today's* page (UTC) as a daily entry with source "local". A paper this database
doesn't have yet is fetched through a `PaperFetcher` (the arXiv source); without one the
submission says so.

A person waits on the form meanwhile, so: an id whose month (its `YYMM`) ended more than
`submission_max_age_days` ago is refused before anything is fetched; the fetch itself is
bounded by `submission_fetch_timeout_s` (the fetcher's budget); and when arXiv can't be
reached the form says that in words, while the transport details go to the log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from dailypapers.config import CommunitySettings
from dailypapers.domain.arxiv_ids import id_month, month_after, parse_arxiv_id
from dailypapers.domain.community import User, require_contributor
from dailypapers.domain.papers import DailyEntry, ListingItem, Paper, SourceRecord
from dailypapers.errors import BadRequest, Conflict, NotFound, SourceError
from dailypapers.services.clock import Clock
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.submissions import SubmissionStore

log = logging.getLogger(__name__)

NO_FETCHER = "paper not in the database; fetching from arXiv is not available yet"


class PaperFetcher(Protocol):
    def fetch(self, arxiv_id: str) -> Paper | None:
        """The paper's metadata from its source, or None if the source doesn't know it."""
        ...


class SubmissionService:
    def __init__(
        self,
        settings: CommunitySettings,
        papers: PaperStore,
        submissions: SubmissionStore,
        clock: Clock,
        fetcher: PaperFetcher | None = None,
    ) -> None:
        self.settings = settings
        self.papers = papers
        self.submissions = submissions
        self.clock = clock
        self.fetcher = fetcher

    def submit(self, user: User | None, raw_id: str) -> ListingItem:
        """Feature a paper on today's page, submitted by `user`."""
        user = require_contributor(
            user, verified_email_required=self.settings.require_verified_email
        )
        base = parse_arxiv_id(raw_id).base
        now = self.clock()
        paper = self.papers.get(base, include_hidden=True)
        if paper is None:
            self._refuse_by_id_if_old(base, now)
            paper = self._fetch(base)
        elif self.papers.get(base) is None:
            raise NotFound(f"paper {base} is not in this database")
        if self.papers.entries_for(base):
            raise Conflict(f"paper {base} has already been submitted")
        published = paper.published_at
        limit = self.settings.submission_max_age_days
        if published is not None and now - published > timedelta(days=limit):
            raise BadRequest(
                f"paper {base} was published on {published:%Y-%m-%d}; only papers from the "
                f"last {limit} days can be submitted"
            )
        entry = DailyEntry(
            arxiv_id=base,
            day=now.date(),
            source="local",
            submitted_by=user.username,
            submitted_at=now,
        )
        counts = self.papers.upsert([SourceRecord(paper, [entry])], now=now)
        if counts.entries_added == 0:  # someone submitted it a moment ago
            raise Conflict(f"paper {base} has already been submitted")
        return ListingItem(
            paper=self.papers.get(base) or paper,
            day=entry.day,
            submitted_by=user.username,
            submitted_at=now,
            source="local",
        )

    def _refuse_by_id_if_old(self, base: str, now: datetime) -> None:
        """Refuse at once a paper whose id says it is older than the limit (no fetch)."""
        limit = self.settings.submission_max_age_days
        month = id_month(base)
        if now - month_after(month) > timedelta(days=limit):
            raise BadRequest(
                f"paper {base} was published in {month:%B %Y} (its id says so); only papers "
                f"from the last {limit} days can be submitted"
            )

    def _fetch(self, base: str) -> Paper:
        if self.fetcher is None:
            raise NotFound(NO_FETCHER)
        try:
            paper = self.fetcher.fetch(base)
        except SourceError as exc:
            log.warning("submission of %s: fetching from arXiv failed: %s", base, exc.message)
            raise SourceError(
                f"could not fetch {base} from arXiv: arXiv did not answer in time or could "
                "not be reached. Nothing was submitted; please try again in a few minutes."
            ) from exc
        if paper is None:
            raise NotFound(f"arXiv has no paper {base}")
        return paper

    def by_user(self, username: str, *, limit: int) -> list[ListingItem]:
        return self.submissions.by_user(username, limit=limit)

    def imported_by(self, username: str, *, limit: int) -> list[ListingItem]:
        """Papers imported data says `username` submitted (on Hugging Face, say)."""
        return self.submissions.by_user(username, limit=limit, imported=True)
