"""A paper as featured on a day: the items of the day, week, month and trending pages, and
of a profile's submissions. A paper card plus when, by whom, and its rank on the page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from dailypapers.domain.papers import ListingItem
from dailypapers.presenters.papers import paper_card


def featured_at(day: date, submitted_at: datetime | None) -> datetime:
    """When a paper was featured: its daily submission time, else the day at 00:00 UTC (the
    time the Atom entries and Hugging Face's shape give a featured paper)."""
    if submitted_at is not None:
        return submitted_at
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def listing_item(
    item: ListingItem, *, rank: int | None = None, upvoted: bool = False
) -> dict[str, Any]:
    return {
        "rank": rank,
        **paper_card(item.paper, upvoted=upvoted),
        "submitted_by": item.submitted_by,
        "featured_on": item.day.isoformat(),
        "submitted_at": item.submitted_at.isoformat() if item.submitted_at else None,
    }
