"""The one clock type: every service that needs "now" takes a `Clock` instead of reading the
system time, so tests and back-fills pass a fixed or hand-moved clock through `bootstrap`.

`utc_now` is the production clock (timezone-aware UTC).

One notion of "now" for what the data holds (`data_now`): a data set that is not live (the
demo, a mirror whose ingest stopped) must not look empty because the wall clock moved on. So
every window that ends "now" (trending, the search feed's recent papers) ends at the clock or
at the end of the newest listed day, whichever is earlier: on a live site that is the clock,
on a stale one the data's last day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def data_now(now: datetime, latest_day: date | None) -> datetime:
    """ "Now" for windows over the data: `now`, or the end of `latest_day` (the newest listed
    day) when that is earlier. With no data at all, `now`."""
    if latest_day is None:
        return now
    return min(now, datetime.combine(latest_day, time.max, UTC))
