"""Daily, weekly and monthly pages, trending, and single papers: the read side of the site."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dailypapers.config import Settings
from dailypapers.domain.paging import check_paging
from dailypapers.domain.papers import DailyEntry, FeedItem, FeedPage, Paper
from dailypapers.domain.periods import Period, PeriodKind, period_containing
from dailypapers.domain.trending import trending_score
from dailypapers.errors import BadRequest, NotFound
from dailypapers.services.clock import Clock, data_now
from dailypapers.storage.papers import PaperStore

FeedSort = Literal["upvotes", "published", "trending"]
FEED_SORTS: tuple[FeedSort, ...] = ("upvotes", "published", "trending")


@dataclass(frozen=True, slots=True)
class PeriodView:
    """A period's page of papers, with links to the nearest periods that have papers."""

    period: Period | None  # None: the database has no papers at all
    page: FeedPage
    previous: Period | None
    next: Period | None
    sort: FeedSort


@dataclass(frozen=True, slots=True)
class PaperView:
    paper: Paper
    entries: list[DailyEntry]


class FeedService:
    def __init__(self, settings: Settings, papers: PaperStore, clock: Clock):
        self.settings = settings
        self.papers = papers
        self.clock = clock

    def check_paging(self, page: int, limit: int | None) -> tuple[int, int]:
        """Validate `p`/`limit` against the page-size settings; return (page, limit)."""
        return check_paging(self.settings, page, limit)

    def latest(self, kind: PeriodKind = "day") -> Period | None:
        day = self.papers.latest_day()
        return period_containing(kind, day) if day else None

    def period_view(
        self,
        period: Period | None,
        *,
        sort: FeedSort = "upvotes",
        page: int = 0,
        limit: int | None = None,
        submitter: str | None = None,
    ) -> PeriodView:
        """Papers of `period` (the latest day with papers when None); `page` counts from 0."""
        page, limit = self.check_paging(page, limit)
        if sort not in FEED_SORTS:
            raise BadRequest(f"sort must be one of {', '.join(FEED_SORTS)}")
        if period is None:
            period = self.latest("day")
            if period is None:
                return PeriodView(None, FeedPage([], 0, page, limit), None, None, sort)
        if sort == "trending":
            items, total = self._trending(period.start, period.end, page, limit, submitter)
        else:
            items, total = self.papers.feed(
                period.start,
                period.end,
                order=sort,
                limit=limit,
                offset=page * limit,
                submitter=submitter,
            )
        before, after = self.papers.neighbour_days(period.start, period.end)
        return PeriodView(
            period,
            FeedPage(items, total, page, limit),
            period_containing(period.kind, before) if before else None,
            period_containing(period.kind, after) if after else None,
            sort,
        )

    def trending(self, *, page: int = 0, limit: int | None = None) -> PeriodView:
        """Papers featured in the trending window, by time-decayed upvotes."""
        page, limit = self.check_paging(page, limit)
        latest = self.papers.latest_day()
        if latest is None:
            return PeriodView(None, FeedPage([], 0, page, limit), None, None, "trending")
        # On a site whose data stopped (a demo, a paused ingest) the window ends at the last
        # day with papers, so trending never goes blank (services/clock.py `data_now`).
        end = data_now(self.clock(), latest).date()
        start = end - timedelta(days=self.settings.trending_window_days - 1)
        items, total = self._trending(start, end, page, limit, None)
        return PeriodView(None, FeedPage(items, total, page, limit), None, None, "trending")

    def _trending(
        self, start: date, end: date, page: int, limit: int, submitter: str | None
    ) -> tuple[list[FeedItem], int]:
        now = self.clock()
        gravity = self.settings.trending_gravity
        scored = sorted(
            (
                (
                    -trending_score(votes, (now - featured).total_seconds() / 3600, gravity),
                    -votes,
                    arxiv_id,
                )
                for arxiv_id, votes, featured in self.papers.feed_candidates(
                    start, end, submitter=submitter
                )
            ),
        )
        chosen = [arxiv_id for _, _, arxiv_id in scored[page * limit : (page + 1) * limit]]
        rows = self.papers.feed_items(start, end, chosen)
        return [rows[i] for i in chosen if i in rows], len(scored)

    def first_features(self, ids: Sequence[str]) -> dict[str, DailyEntry]:
        """When and by whom each paper was first featured (HF's submittedOnDaily*)."""
        return self.papers.first_entries(ids)

    def paper(self, arxiv_id: str) -> PaperView:
        paper = self.papers.get(arxiv_id)
        if paper is None:
            raise NotFound(f"paper {arxiv_id} is not in this database")
        return PaperView(paper, self.papers.entries_for(arxiv_id))
