"""Daily, weekly and monthly pages, trending, and single papers: the read side of the site.

A period's papers are the ones *featured* in it (by HF, a submission here, an admin), as on
Hugging Face; the papers merely *listed* as new on arXiv are another view. A page for a period
where nothing was featured shows that period's arXiv listing instead, marked `listed`, so an
instance that only ingests arXiv still has a front page; the HF-shaped API never does
(`listing_fallback=False`): HF's clients get the featured papers or nothing.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from dailypapers.config import SiteSettings
from dailypapers.domain.paging import check_paging
from dailypapers.domain.papers import DailyEntry, ListingItem, ListingPage, Paper
from dailypapers.domain.periods import Period, PeriodKind, period_containing
from dailypapers.domain.trending import trending_score
from dailypapers.errors import BadRequest, NotFound
from dailypapers.services.clock import Clock, data_now
from dailypapers.storage.category_listings import CategoryPapers
from dailypapers.storage.papers import PaperStore

ListingSort = Literal["upvotes", "published", "trending"]
FEED_SORTS: tuple[ListingSort, ...] = ("upvotes", "published", "trending")
_CATEGORY = re.compile(r"[A-Za-z-]+(\.[A-Za-z-]+)?")


@dataclass(frozen=True, slots=True)
class PeriodView:
    """A period's page of papers, with links to the nearest periods that have papers."""

    period: Period | None  # None: the database has no papers at all
    page: ListingPage
    previous: Period | None
    next: Period | None
    sort: ListingSort
    listed: bool = False  # nothing featured: these are the papers listed on arXiv


@dataclass(frozen=True, slots=True)
class PaperView:
    paper: Paper
    entries: list[DailyEntry]


@dataclass(frozen=True, slots=True)
class ListingView:
    """A page of the papers listed as new on arXiv on a day (None: nothing listed yet)."""

    day: date | None
    category: str | None
    papers: list[Paper]
    total: int
    page: int
    limit: int


class ListingService:
    def __init__(
        self,
        settings: SiteSettings,
        papers: PaperStore,
        clock: Clock,
        categories: CategoryPapers,
    ):
        self.settings = settings
        self.papers = papers
        self.clock = clock
        self.categories = categories

    def listing(
        self, day: date | None, category: str | None, *, page: int = 0, limit: int | None = None
    ) -> ListingView:
        """arXiv's 'new' listing of `day` (the latest listed day when None), optionally of one
        category: its own view, apart from the featured papers."""
        page, limit = self.check_paging(page, limit)
        if category is not None and not _CATEGORY.fullmatch(category):
            raise BadRequest("category must look like cs.CL")
        day = day or self.papers.latest_day(listed=True)
        if day is None:
            return ListingView(None, category, [], 0, page, limit)
        found, total = self.categories.listed_on(day, category, limit, page * limit)
        return ListingView(day, category, found, total, page, limit)

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
        sort: ListingSort = "upvotes",
        page: int = 0,
        limit: int | None = None,
        submitter: str | None = None,
        listing_fallback: bool = True,
    ) -> PeriodView:
        """Papers featured in `period` (the latest day with papers when None); `page` counts
        from 0. With `listing_fallback`, a period where nothing was featured shows the papers
        listed on arXiv in it (the view says `listed`)."""
        page, limit = self.check_paging(page, limit)
        if sort not in FEED_SORTS:
            raise BadRequest(f"sort must be one of {', '.join(FEED_SORTS)}")
        if period is None:
            period = self.latest("day")
            if period is None:
                return PeriodView(None, ListingPage([], 0, page, limit), None, None, sort)
        items, total = self._page(period, sort, page, limit, submitter, listed=False)
        listed = listing_fallback and total == 0 and submitter is None
        if listed:
            items, total = self._page(period, sort, page, limit, None, listed=True)
        before, after = self.papers.neighbour_days(period.start, period.end)
        return PeriodView(
            period,
            ListingPage(items, total, page, limit),
            period_containing(period.kind, before) if before else None,
            period_containing(period.kind, after) if after else None,
            sort,
            listed,
        )

    def _page(
        self,
        period: Period,
        sort: ListingSort,
        page: int,
        limit: int,
        submitter: str | None,
        *,
        listed: bool,
    ) -> tuple[list[ListingItem], int]:
        if sort == "trending":
            return self._trending(period.start, period.end, page, limit, submitter, listed)
        return self.papers.listing(
            period.start,
            period.end,
            order=sort,
            limit=limit,
            offset=page * limit,
            submitter=submitter,
            listed=listed,
        )

    def trending(self, *, page: int = 0, limit: int | None = None) -> PeriodView:
        """Papers featured in the trending window, by time-decayed upvotes."""
        page, limit = self.check_paging(page, limit)
        latest = self.papers.latest_day(listed=False)
        if latest is None:
            return PeriodView(None, ListingPage([], 0, page, limit), None, None, "trending")
        # On a site whose data stopped (a demo, a paused ingest) the window ends at the last
        # day with papers, so trending never goes blank (services/clock.py `data_now`).
        end = data_now(self.clock(), latest).date()
        start = end - timedelta(days=self.settings.trending_window_days - 1)
        items, total = self._trending(start, end, page, limit, None)
        return PeriodView(None, ListingPage(items, total, page, limit), None, None, "trending")

    def _trending(
        self,
        start: date,
        end: date,
        page: int,
        limit: int,
        submitter: str | None,
        listed: bool = False,
    ) -> tuple[list[ListingItem], int]:
        now = self.clock()
        gravity = self.settings.trending_gravity
        scored = sorted(
            (
                (
                    -trending_score(votes, (now - featured).total_seconds() / 3600, gravity),
                    -votes,
                    arxiv_id,
                )
                for arxiv_id, votes, featured in self.papers.listing_candidates(
                    start, end, submitter=submitter, listed=listed
                )
            ),
        )
        chosen = [arxiv_id for _, _, arxiv_id in scored[page * limit : (page + 1) * limit]]
        rows = self.papers.listing_items(start, end, chosen, listed=listed)
        return [rows[i] for i in chosen if i in rows], len(scored)

    def newest_papers(
        self, cursor: str | None, limit: int | None
    ) -> tuple[list[Paper], str | None]:
        """All papers, newest first, a page at a time: the page and the cursor of the next
        one (None after the last). The cursor is opaque to clients."""
        _, limit = self.check_paging(0, limit)
        found = self.papers.newest(limit + 1, decode_cursor(cursor) if cursor else None)
        page, more = found[:limit], len(found) > limit
        return page, encode_cursor(page[-1]) if more else None

    def first_features(self, ids: Sequence[str]) -> dict[str, DailyEntry]:
        """When and by whom each paper was first featured (HF's submittedOnDaily*)."""
        return self.papers.first_entries(ids)

    def paper(self, arxiv_id: str) -> PaperView:
        paper = self.papers.get(arxiv_id)
        if paper is None:
            raise NotFound(f"paper {arxiv_id} is not in this database")
        return PaperView(paper, self.papers.entries_for(arxiv_id))


def encode_cursor(last: Paper) -> str:
    """The keyset of a page's last paper, as an opaque URL-safe string."""
    stamp = last.published_at.isoformat() if last.published_at else ""
    raw = json.dumps([stamp, last.arxiv_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, arxiv_id = json.loads(raw)
        published = datetime.fromisoformat(stamp) if stamp else None
        if not isinstance(arxiv_id, str):
            raise ValueError(arxiv_id)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadRequest("cursor is not one this API gave out") from exc
    return published, arxiv_id
