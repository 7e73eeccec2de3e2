"""Email digests as the rest of the system sees them: subscriptions, schedules, what goes in.

A subscription is an email address (no account needed) with preferences: how often (daily or
weekly, at an hour UTC, weekly on a weekday) and what (trending papers, saved searches with a
minimum score, arXiv categories). A digest is sent per *slot*: the scheduled send time; its
label (`2026-08-21` for a daily slot, `2026-W34` for a weekly one) is the delivery key, so
there is one digest per subscription and slot, ever.

`select_items` decides what a digest holds: each section's candidates in order, minus papers
already sent to this subscription (keyed by base arXiv id, so new versions and cross-listings
never repeat), each item carrying every reason it is there.

Pure functions only: the clock, randomness and I/O live in services and storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple, Protocol

from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.domain.email_addresses import check_email_address
from dailypapers.domain.papers import Paper
from dailypapers.domain.periods import parse_day, parse_week
from dailypapers.domain.search import Span
from dailypapers.errors import BadRequest, InvalidArxivId

Frequency = Literal["daily", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly")
SubscriptionStatus = Literal["pending", "active", "unsubscribed", "suspended"]
TokenPurpose = Literal["confirm", "manage", "unsubscribe"]
ReasonKind = Literal["for_you", "trending", "query", "category"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")


def normalise_email(raw: str) -> str:
    """The address as stored and compared: the one rule (domain.email_addresses), lower-cased."""
    return check_email_address(raw).lower()


def parse_categories(raw: str | Iterable[str]) -> tuple[str, ...]:
    """arXiv categories from `cs.CL, cs.LG` (or a list), deduplicated, in order."""
    parts = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else list(raw)
    found: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not _CATEGORY.fullmatch(part) or len(part) > 32:
            raise BadRequest(f"{part[:40]!r} is not an arXiv category (e.g. cs.CL, hep-th)")
        if part not in found:
            found.append(part)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """A saved search: natural-language `query`; hits scoring below `min_score` are left out."""

    query: str
    min_score: float = 0.0


@dataclass(frozen=True, slots=True)
class DigestPrefs:
    frequency: Frequency = "daily"
    send_hour: int = 8  # UTC
    send_weekday: int = 0  # weekly digests: 0 = Monday
    include_trending: bool = True
    queries: tuple[SavedQuery, ...] = ()
    categories: tuple[str, ...] = ()

    def check(self, *, max_queries: int, max_categories: int, max_query_length: int) -> None:
        """Raise BadRequest with a sentence a person can act on."""
        if self.frequency not in FREQUENCIES:
            raise BadRequest("frequency must be daily or weekly")
        if not 0 <= self.send_hour <= 23:
            raise BadRequest("the hour must be between 0 and 23 (UTC)")
        if not 0 <= self.send_weekday <= 6:
            raise BadRequest("the weekday must be between 0 (Monday) and 6 (Sunday)")
        if len(self.queries) > max_queries:
            raise BadRequest(f"at most {max_queries} saved searches")
        for saved in self.queries:
            if not saved.query.strip():
                raise BadRequest("a saved search needs some words")
            if len(saved.query) > max_query_length:
                raise BadRequest(f"a saved search is at most {max_query_length} characters")
            if not 0.0 <= saved.min_score <= 1000.0:
                raise BadRequest("a minimum score must be a number from 0 up")
        if len(self.categories) > max_categories:
            raise BadRequest(f"at most {max_categories} categories")
        if not (self.include_trending or self.queries or self.categories):
            raise BadRequest("choose something to receive: trending papers, a search or a category")

    def describe(self) -> str:
        when = f"{self.send_hour:02d}:00 UTC"
        if self.frequency == "weekly":
            return f"weekly, {WEEKDAYS[self.send_weekday]}s at {when}"
        return f"daily at {when}"


@dataclass(slots=True)
class Subscription:
    id: int
    email: str
    status: SubscriptionStatus
    prefs: DigestPrefs
    bounce_count: int = 0
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    schedule_from: datetime | None = None  # no slot before this is ever sent
    user_id: int | None = None  # accounts come later; anonymous subscriptions have none


# --- schedules ---------------------------------------------------------------------------
def latest_slot(prefs: DigestPrefs, now: datetime) -> datetime:
    """The newest scheduled send time at or before `now` (UTC)."""
    now = now.astimezone(UTC)
    slot = datetime.combine(now.date(), time(prefs.send_hour), UTC)
    if prefs.frequency == "daily":
        return slot if slot <= now else slot - timedelta(days=1)
    slot -= timedelta(days=(now.weekday() - prefs.send_weekday) % 7)
    return slot if slot <= now else slot - timedelta(days=7)


def slot_label(frequency: Frequency, slot: datetime) -> str:
    """The delivery key's period: `2026-08-21` (daily) or `2026-W34` (weekly)."""
    day = slot.astimezone(UTC).date()
    if frequency == "daily":
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def label_frequency(label: str) -> Frequency:
    """Which frequency a period label belongs to (`--period` on the CLI)."""
    return "weekly" if "-W" in label else "daily"


def slot_for_label(prefs: DigestPrefs, label: str) -> datetime:
    """The send time of the slot `label` for these preferences (BadRequest if malformed)."""
    if label_frequency(label) == "daily":
        day = parse_day(label)
    else:
        day = parse_week(label).start + timedelta(days=prefs.send_weekday)
    return datetime.combine(day, time(prefs.send_hour), UTC)


def period_length(frequency: Frequency) -> timedelta:
    return timedelta(days=1 if frequency == "daily" else 7)


def window_start(
    frequency: Frequency, slot: datetime, previous_slot: datetime | None, max_lookback_days: int
) -> date:
    """First day whose papers this slot's digest looks at.

    From the previous *sent* digest's slot, so a slot skipped while no sender ran folds into
    the next digest instead of losing papers; one period back for a first digest; never more
    than `max_lookback_days`. Papers already sent are excluded anyway, so overlap is harmless.
    """
    start = previous_slot if previous_slot is not None else slot - period_length(frequency)
    start = max(start, slot - timedelta(days=max_lookback_days))
    return start.astimezone(UTC).date()


def message_id(period: str, domain: str, nonce: str) -> str:
    """A digest's Message-ID: `nonce` is random (the caller draws it), so the header says
    nothing about the subscription (no row number to count subscribers by or to guess an
    unsubscribe link from). It is drawn once, when the delivery row is planned, and every
    attempt at that (subscription, period) sends the row's stored id: a resend after a crash
    is still recognisable as the same message to clients that deduplicate by it."""
    return f"<digest.{period}.{nonce}@{domain}>"


# --- content -----------------------------------------------------------------------------
class QueryHit(NamedTuple):
    """One saved-search match: the paper, its score and where the query's words are."""

    paper: Paper
    score: float
    title_spans: Sequence[Span] = ()
    abstract_spans: Sequence[Span] = ()


class SearchForDigest(Protocol):
    """What digests and search feeds need from search: new papers matching a query.

    `since`: only papers featured or published on/after this time. Results best first.
    Implemented by the hybrid search (services/saved_searches.py, `HybridDigestSearch`): the
    score is the semantic similarity (0..1), or the share of the query's words matched while
    there are no vectors.
    """

    def search(self, query: str, since: datetime, limit: int) -> list[QueryHit]: ...


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a paper is in a digest (or a feed): shown next to it."""

    kind: ReasonKind
    rank: int | None = None  # trending
    query: str | None = None  # saved search
    score: float | None = None
    title_spans: tuple[Span, ...] = ()
    abstract_spans: tuple[Span, ...] = ()
    category: str | None = None
    why: str | None = None  # for_you: the recommendation's own line (domain.recommendations)

    def describe(self) -> str:
        if self.kind == "for_you":
            return self.why or "recommended for you"
        if self.kind == "trending":
            return f"#{self.rank} in trending"
        if self.kind == "query":
            return f"matches your search “{self.query}” (score {self.score or 0:.2f})"
        return f"new in {self.category}"


class ForYouForDigest(Protocol):
    """What digests need from recommendations: the account a subscription belongs to, and
    that reader's ranking of the papers featured from `since` to `until` (days, inclusive),
    best first. A reader with no history (a cold start) gets no candidates: a digest shows
    no empty or merely trending "For you" section. Implemented by services/digest_for_you.py.
    """

    def reader_id(self, subscription: Subscription) -> int | None: ...

    def candidates(
        self, subscription: Subscription, since: date, until: date, limit: int
    ) -> list[Candidate]: ...


@dataclass(frozen=True, slots=True)
class FeedbackLink:
    """A 👍/👎 link in a digest, as stored: the hash of its random token (services.tokens),
    whose verdict (+1/-1) on which paper (base id) for which user, usable until `expires_at`."""

    token_hash: str
    user_id: int
    arxiv_id: str
    verdict: int
    expires_at: datetime


FeedbackLinkStatus = Literal["ready", "recorded", "already_recorded"]


@dataclass(frozen=True, slots=True)
class FeedbackLinkState:
    """What a 👍/👎 link's page shows: the paper, the verdict, and whether it was recorded
    ("ready": the page asks to confirm; "already_recorded": a used link, nothing changes)."""

    paper: Paper
    verdict: int
    status: FeedbackLinkStatus


@dataclass(frozen=True, slots=True)
class Candidate:
    paper: Paper
    reason: Reason


@dataclass(slots=True)
class DigestItem:
    paper: Paper
    reasons: list[Reason] = field(default_factory=list)

    @property
    def key(self) -> str:
        return base_id(self.paper.arxiv_id)


@lru_cache(maxsize=65536)
def base_id(arxiv_id: str) -> str:
    """The version-free id digests are keyed by (`2405.15738v2` -> `2405.15738`)."""
    try:
        return parse_arxiv_id(arxiv_id).base
    except InvalidArxivId:
        return arxiv_id


def select_items(
    sections: Sequence[Sequence[Candidate]],
    already_sent: Set[str],
    *,
    max_items: int,
    per_section: int,
) -> list[DigestItem]:
    """The digest's items: sections in order, each up to `per_section` new papers.

    A paper in several sections (trending and a search, or two cross-listed categories)
    appears once, where it first appears, with every reason.
    """
    items: dict[str, DigestItem] = {}
    for section in sections:
        taken = 0
        for candidate in section:
            key = base_id(candidate.paper.arxiv_id)
            if key in already_sent:
                continue
            if key in items:
                if candidate.reason not in items[key].reasons:
                    items[key].reasons.append(candidate.reason)
                continue
            if taken >= per_section or len(items) >= max_items:
                continue
            items[key] = DigestItem(candidate.paper, [candidate.reason])
            taken += 1
    return list(items.values())


def trim_text(text: str, limit: int) -> str:
    """Whitespace collapsed and cut at a word boundary before `limit` characters, with `…`."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(" ,;:.") + "…"


def snippet(text: str, spans: Sequence[Span], width: int = 220) -> list[tuple[str, bool]]:
    """A window of `text` around its first span, as (piece, highlighted) runs.

    Templates render the runs (bold in HTML, *stars* in plain text); offsets are into the
    original text, so highlighting never breaks LaTeX or escaping.
    """
    if not spans:
        return [(trim_text(text, width), False)]
    spans = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, s.end)
    )
    if not spans:
        return [(trim_text(text, width), False)]
    start = max(0, spans[0].start - width // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0].start else start
    end = min(len(text), start + width)
    runs: list[tuple[str, bool]] = []
    if start > 0:
        runs.append(("…", False))
    position = start
    for span in spans:
        if span.start < position or span.end > end:
            continue
        if span.start > position:
            runs.append((text[position : span.start], False))
        runs.append((text[span.start : span.end], True))
        position = span.end
    if position < end:
        runs.append((text[position:end], False))
    if end < len(text):
        runs.append(("…", False))
    return [(re.sub(r"\s+", " ", piece), hit) for piece, hit in runs]
