"""Rate limits on actions that cost others something: mail sent, accounts created.

Each action names the keys it counts against (the client address, the recipient address, the
whole site) with a limit for each, over a sliding hour. Events are kept in the database
(`RateLimitStore`): recorded first and counted after, so racing requests can't slip past a
limit, and the limit holds across web processes. Limits are settings
(`mail_sends_per_address_per_hour`, `mail_sends_per_ip_per_hour`, `signups_per_ip_per_hour`,
`signups_per_hour`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from dailypapers.errors import RateLimited
from dailypapers.storage.rate_limits import RateLimitStore

WINDOW = timedelta(hours=1)


class RateGuard:
    def __init__(self, store: RateLimitStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def allows(self, kind: str, limits: Sequence[tuple[str, int]]) -> bool:
        """Count one `kind` event against each (key, limit); False if any is now over."""
        now = self.clock()
        since = now - WINDOW
        self.store.record(kind, [key[:300] for key, _ in limits], now=now, expired_before=since)
        return all(self.store.count(kind, key[:300], since=since) <= limit for key, limit in limits)

    def take(self, kind: str, limits: Sequence[tuple[str, int]], *, what: str) -> None:
        """As `allows`, but a refusal is a RateLimited (429) that says what to wait for."""
        if not self.allows(kind, limits):
            raise RateLimited(f"too many {what} for now; try again in an hour")
