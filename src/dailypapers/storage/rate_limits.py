"""The one place that knows SQL for rate-limited events (failed logins, reset emails).

`record` commits an event *before* the caller counts: every process sees committed rows, so
the n-th of n concurrent attempts always counts at least n and the limit can't be raced
past, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from dailypapers.storage.community_tables import rate_events
from dailypapers.storage.database import Database


class RateLimitStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, kind: str, keys: Sequence[str], *, now: datetime, expired_before: datetime):
        """Add one event per key (and drop this kind's events too old to count); their ids.

        Only this kind's old events go: each kind counts over its own window."""
        with self.db.write() as conn:
            conn.execute(
                rate_events.delete().where(
                    rate_events.c.kind == kind, rate_events.c.at < expired_before
                )
            )
            return [
                conn.execute(
                    rate_events.insert()
                    .values(kind=kind, key=key, at=now)
                    .returning(rate_events.c.id)
                ).scalar_one()
                for key in keys
            ]

    def count(self, kind: str, key: str, *, since: datetime) -> int:
        query = sa.select(sa.func.count()).where(
            rate_events.c.kind == kind, rate_events.c.key == key, rate_events.c.at > since
        )
        with self.db.read() as conn:
            return conn.execute(query).scalar_one()

    def forget(self, ids: Sequence[int] = (), *, kind: str | None = None, key: str | None = None):
        """Delete events by id, and/or every event of (kind, key)."""
        with self.db.write() as conn:
            if ids:
                conn.execute(rate_events.delete().where(rate_events.c.id.in_(list(ids))))
            if kind is not None and key is not None:
                conn.execute(
                    rate_events.delete().where(rate_events.c.kind == kind, rate_events.c.key == key)
                )
