"""The one clock type: every service that needs "now" takes a `Clock` instead of reading the
system time, so tests and back-fills pass a fixed or hand-moved clock through `bootstrap`.

`utc_now` is the production clock (timezone-aware UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
