"""What the Atom feeds hold: the latest day, trending, a search, a category.

Each feed is a `FeedDoc` of entries (a paper, when it was last updated for the feed, and why
it is there); `web/atom.py` writes it as RFC 4287 XML. Entry times come from the data (when
the paper was featured or published), never from the clock, so two renders of the same data
are identical. An empty feed's `updated` is the feed's own last change: the newest listed
day (`as_of`), never the epoch. Windows that end "now" end at `clock.data_now`, so a data set
that is not live (the demo) still fills its search feed. Collection feeds
(`/feeds/collections/{id}.atom`) come with collections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote, urlencode

from dailypapers.config import DigestSettings, SiteSettings
from dailypapers.domain.digests import Reason, SearchForDigest, parse_categories
from dailypapers.domain.papers import ListingItem, Paper
from dailypapers.errors import BadRequest
from dailypapers.presenters.listing_items import featured_at
from dailypapers.services.clock import Clock, data_now
from dailypapers.services.listings import ListingService
from dailypapers.storage.category_listings import CategoryPapers
from dailypapers.storage.papers import PaperStore

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    paper: Paper
    updated: datetime
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class FeedDoc:
    key: str  # stable: becomes the feed's tag: id
    title: str
    subtitle: str
    self_path: str  # path + query of this feed
    html_path: str | None  # the page it mirrors, if any
    entries: list[FeedEntry]
    as_of: datetime = EPOCH  # when the data last changed: the `updated` of an empty feed

    @property
    def updated(self) -> datetime:
        return max((e.updated for e in self.entries), default=self.as_of)


def _paper_time(paper: Paper) -> datetime:
    return paper.updated_at or paper.published_at or EPOCH


class SyndicationService:
    def __init__(
        self,
        settings: DigestSettings,
        site: SiteSettings,
        papers: PaperStore,
        listings: ListingService,
        search: SearchForDigest,
        categories: CategoryPapers,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.site = site
        self.papers = papers
        self.listings = listings
        self.search = search
        self.categories = categories
        self.clock = clock

    @property
    def limit(self) -> int:
        return self.settings.feed_max_entries

    def _as_of(self) -> datetime:
        """The data's last change: the start of the newest listed day (the clock if none)."""
        day = self.papers.latest_day()
        return datetime.combine(day, time(), UTC) if day else self.clock()

    def daily(self) -> FeedDoc:
        day = self.papers.latest_day()
        items: list[ListingItem] = []
        if day is not None:  # nothing featured that day: its arXiv listing, as the day page
            for listed in (False, True):
                items, _ = self.papers.listing(
                    day, day, order="upvotes", limit=self.limit, offset=0, listed=listed
                )
                if items:
                    break
        title = f"{self.site.site_name}: papers of {day.isoformat()}" if day else "No papers yet"
        return FeedDoc(
            key="daily",
            title=title,
            subtitle="The papers featured on the latest day, most upvoted first.",
            self_path="/feeds/daily.atom",
            html_path=f"/date/{day.isoformat()}" if day else "/",
            as_of=self._as_of(),
            entries=[FeedEntry(i.paper, featured_at(i.day, i.submitted_at)) for i in items],
        )

    def trending(self) -> FeedDoc:
        view = self.listings.trending(limit=min(self.limit, self.site.max_page_size))
        return FeedDoc(
            key="trending",
            title=f"{self.site.site_name}: trending papers",
            subtitle=f"Featured in the last {self.site.trending_window_days} days, "
            "ranked by upvotes decayed with age.",
            self_path="/feeds/trending.atom",
            html_path="/trending",
            as_of=self._as_of(),
            entries=[
                FeedEntry(
                    i.paper, featured_at(i.day, i.submitted_at), Reason("trending", rank=rank)
                )
                for rank, i in enumerate(view.page.items, start=1)
            ],
        )

    def search_feed(self, query: str) -> FeedDoc:
        query = " ".join((query or "").split())
        if not query:
            raise BadRequest("q: give the words to search for")
        if len(query) > self.site.max_query_length:
            raise BadRequest(f"q is longer than {self.site.max_query_length} characters")
        now = data_now(self.clock(), self.papers.latest_day())
        since = now - timedelta(days=self.settings.feed_search_days)
        hits = self.search.search(query, since, self.limit)
        return FeedDoc(
            key=f"search/{quote(query.lower(), safe='')}",
            title=f"{self.site.site_name}: new papers matching “{query}”",
            subtitle=f"Papers of the last {self.settings.feed_search_days} days matching a search.",
            self_path=f"/feeds/search.atom?{urlencode({'q': query})}",
            html_path=f"/search?{urlencode({'q': query})}",
            as_of=self._as_of(),
            entries=[
                FeedEntry(
                    hit.paper,
                    _paper_time(hit.paper),
                    Reason("query", query=query, score=hit.score),
                )
                for hit in hits
            ],
        )

    def category(self, category: str) -> FeedDoc:
        parsed = parse_categories([category])
        if len(parsed) != 1:
            raise BadRequest("give one arXiv category, e.g. cs.CL")
        name = parsed[0]
        papers = self.categories.recent(name, None, self.limit, newest_first=True)
        entries = [FeedEntry(p, _paper_time(p), Reason("category", category=name)) for p in papers]
        return FeedDoc(
            key=f"category/{name}",
            title=f"{self.site.site_name}: {name}",
            subtitle=f"The newest papers listed in {name} (primary or cross-listed).",
            self_path=f"/feeds/category/{name}.atom",
            html_path=None,
            as_of=self._as_of(),
            entries=entries,
        )
