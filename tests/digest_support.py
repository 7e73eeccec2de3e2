"""Helpers for digest tests: papers featured on given days, confirmed subscribers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from dailypapers.domain.digests import DigestPrefs
from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.services.bootstrap import Services

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def featured(
    arxiv_id: str,
    day: date,
    upvotes: int,
    *,
    categories: Sequence[str] = ("cs.LG",),
    title: str | None = None,
    abstract: str | None = None,
) -> SourceRecord:
    paper = Paper(
        arxiv_id=arxiv_id,
        title=title or f"Paper {arxiv_id} on sparse attention",
        abstract=abstract or f"We study {arxiv_id}. Sparse attention makes transformers faster.",
        authors=["Ada Lovelace", "Alan Turing"],
        categories=list(categories),
        external_upvotes=upvotes,
        published_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
    )
    submitted = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
    return SourceRecord(paper, [DailyEntry(arxiv_id, day, "hf", submitted_at=submitted)])


def seed(services: Services, records: Sequence[SourceRecord]) -> None:
    services.papers.upsert(list(records), now=datetime(2026, 8, 1, tzinfo=UTC))


def subscribers(
    services: Services, count: int, prefs: DigestPrefs | None = None, *, domain: str = "example.org"
) -> list[str]:
    """Confirmed subscribers `reader0@domain`, ... whose schedule starts long ago."""
    emails = [f"reader{n}@{domain}" for n in range(count)]
    services.subscriptions.store.insert_active(emails, prefs or DigestPrefs(), now=LONG_AGO)
    return emails
