"""What a digest holds: content selection for one subscription and slot, and the preview.

A digest is made of sections, in the subscriber's order: "For you" first when the subscriber
has an account with a history (services/digest_for_you.py: the recommendations service's
ranking of the digest's window), then trending papers (ranked as the trending page ranks
them, as of the slot), each saved search (hybrid search, hits under the search's minimum
score left out) and each arXiv category (category listings). The pure rule
that turns sections into items (`domain.digests.select_items`: papers already sent to this
subscription left out, one item per paper with every reason) is applied here to candidates
read from storage and search.

The papers' window starts at the previous *sent* digest's slot (`domain.digests.window_start`),
so a missed slot folds into the next digest. Candidates are cached per run (`CandidateCache`):
subscribers with the same trending slot, saved search or category share one lookup.

`preview` renders what a subscription would get now without recording anything (the
subscription pages show it); the delivery protocol (services/digests.py) calls
`items` for every digest it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dailypapers.config import DigestSettings, SiteSettings
from dailypapers.domain.digests import (
    Candidate,
    DigestItem,
    DigestPrefs,
    ForYouForDigest,
    Reason,
    SearchForDigest,
    Subscription,
    base_id,
    select_items,
    slot_label,
    window_start,
)
from dailypapers.domain.trending import trending_score
from dailypapers.mail.messages import MailSite, digest_context, render
from dailypapers.services.clock import Clock
from dailypapers.storage.category_listings import CategoryPapers
from dailypapers.storage.deliveries import DeliveryStore
from dailypapers.storage.papers import PaperStore


@dataclass
class CandidateCache:
    """What the subscribers of one run share: each section's candidates, once per key."""

    trending: dict[datetime, list[Candidate]] = field(default_factory=dict)
    queries: dict[tuple[str, datetime], list[Candidate]] = field(default_factory=dict)
    categories: dict[tuple[str, datetime, datetime], list[Candidate]] = field(default_factory=dict)


class DigestContent:
    def __init__(
        self,
        settings: DigestSettings,
        site_settings: SiteSettings,
        site: MailSite,
        papers: PaperStore,
        deliveries: DeliveryStore,
        search: SearchForDigest,
        categories: CategoryPapers,
        clock: Clock,
        for_you: ForYouForDigest | None = None,
    ) -> None:
        self.settings = settings
        self.for_you = for_you
        self.papers = papers
        self.deliveries = deliveries
        self.search = search
        self.categories = categories
        self.clock = clock
        self.site = site
        self.site_settings = site_settings

    def items(
        self,
        subscription: Subscription,
        slot: datetime,
        previous_slot: datetime | None,
        cache: CandidateCache | None = None,
        *,
        exclude_sent: bool = True,
    ) -> list[DigestItem]:
        """The items of this subscription's digest for `slot`: new papers only."""
        cache = cache or CandidateCache()
        settings = self.settings
        prefs = subscription.prefs
        start = window_start(
            prefs.frequency, slot, previous_slot, settings.digest_max_lookback_days
        )
        since = datetime(start.year, start.month, start.day, tzinfo=UTC)
        sections: list[list[Candidate]] = []
        if self.for_you is not None:
            limit = min(self._candidates(), self.site_settings.max_page_size)
            sections.append(self.for_you.candidates(subscription, since.date(), slot.date(), limit))
        if prefs.include_trending:
            sections.append(self._trending(slot, cache))
        for saved in prefs.queries:
            hits = self._query(saved.query, since, cache)
            sections.append([c for c in hits if (c.reason.score or 0.0) >= saved.min_score])
        for category in prefs.categories:
            sections.append(self._category(category, since, slot, cache))
        sent: set[str] = set()
        if exclude_sent:
            ids = {base_id(c.paper.arxiv_id) for section in sections for c in section}
            sent = self.deliveries.sent_ids(subscription.id, sorted(ids))
        return select_items(
            sections,
            sent,
            max_items=settings.digest_max_items,
            per_section=settings.digest_section_items,
        )

    def reader_id(self, subscription: Subscription) -> int | None:
        """The account this subscription's digests are for (its For-you links act for it)."""
        return self.for_you.reader_id(subscription) if self.for_you is not None else None

    def _candidates(self) -> int:
        return self.settings.digest_section_items * 10

    def _trending(self, slot: datetime, cache: CandidateCache) -> list[Candidate]:
        if slot in cache.trending:
            return cache.trending[slot]
        found: list[Candidate] = []
        latest = self.papers.latest_day(listed=False)  # trending ranks featured papers
        if latest is not None:
            end = min(slot.date(), latest)
            start = end - timedelta(days=self.site_settings.trending_window_days - 1)
            gravity = self.site_settings.trending_gravity
            ranked = sorted(
                (
                    -trending_score(votes, (slot - featured).total_seconds() / 3600, gravity),
                    -votes,
                    arxiv_id,
                )
                for arxiv_id, votes, featured in self.papers.listing_candidates(start, end)
            )
            ids = [arxiv_id for _, _, arxiv_id in ranked[: self._candidates()]]
            papers = self.papers.get_many(ids)
            found = [
                Candidate(papers[arxiv_id], Reason("trending", rank=rank))
                for rank, arxiv_id in enumerate(ids, start=1)
                if arxiv_id in papers
            ]
        cache.trending[slot] = found
        return found

    def _query(self, query: str, since: datetime, cache: CandidateCache) -> list[Candidate]:
        key = (query, since)
        if key not in cache.queries:
            cache.queries[key] = [
                Candidate(
                    hit.paper,
                    Reason(
                        "query",
                        query=query,
                        score=hit.score,
                        title_spans=tuple(hit.title_spans),
                        abstract_spans=tuple(hit.abstract_spans),
                    ),
                )
                for hit in self.search.search(query, since, self._candidates())
            ]
        return cache.queries[key]

    def _category(
        self, category: str, since: datetime, slot: datetime, cache: CandidateCache
    ) -> list[Candidate]:
        key = (category, since, slot)
        if key not in cache.categories:
            cache.categories[key] = [
                Candidate(paper, Reason("category", category=category))
                for paper in self.categories.recent(category, since, self._candidates(), until=slot)
            ]
        return cache.categories[key]

    # --- previews ------------------------------------------------------------------------
    def preview(
        self,
        subscription: Subscription | None,
        *,
        manage_url: str,
        unsubscribe_url: str,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The digest this subscription would get if it were sent now (nothing is recorded),
        or, without one, a sample trending digest."""
        now = now or self.clock()
        if subscription is None:
            subscription = Subscription(0, "you@example.org", "active", DigestPrefs())
            previous = None
            exclude_sent = False
        else:
            previous = self.deliveries.last_sent_due_at(subscription.id, now)
            exclude_sent = True
        items = self.items(subscription, now, previous, exclude_sent=exclude_sent)
        return digest_context(
            self.site,
            email=subscription.email,
            prefs=subscription.prefs,
            period=slot_label(subscription.prefs.frequency, now),
            items=items,
            manage_url=manage_url,
            unsubscribe_url=unsubscribe_url,
        )


def render_preview(context: dict[str, Any]) -> tuple[str, str]:
    """(plain text, HTML) of a digest view model, exactly as the mail would carry them."""
    return render("digest.txt", context), render("digest.html", context)
