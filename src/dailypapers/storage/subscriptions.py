"""The one place that knows SQL for subscriptions and their tokens.

Tokens are stored only as SHA-256 hashes (`services.tokens.hash_token`); callers hand in the
hash, never the raw token. Subscribing is one transaction that also decides whether a mail
goes out, so two quick form posts can't both send one (`subscription_resend_interval_s`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from dailypapers.domain.digests import (
    DigestPrefs,
    SavedQuery,
    Subscription,
    SubscriptionStatus,
    TokenPurpose,
)
from dailypapers.storage.database import Database
from dailypapers.storage.digest_tables import subscription_tokens, subscriptions
from dailypapers.storage.tables import as_utc


def prefs_from_row(m: sa.RowMapping) -> DigestPrefs:
    return DigestPrefs(
        frequency=m["frequency"],
        send_hour=m["send_hour"],
        send_weekday=m["send_weekday"],
        include_trending=bool(m["include_trending"]),
        queries=tuple(
            SavedQuery(q["query"], float(q.get("min_score", 0.0))) for q in m["queries"] or []
        ),
        categories=tuple(m["categories"] or []),
    )


def subscription_from_row(row: Row) -> Subscription:
    m = row._mapping
    return Subscription(
        id=m["id"],
        email=m["email"],
        status=m["status"],
        prefs=prefs_from_row(m),
        bounce_count=m["bounce_count"],
        created_at=as_utc(m["created_at"]),
        confirmed_at=as_utc(m["confirmed_at"]),
        schedule_from=as_utc(m["schedule_from"]),
        user_id=m["user_id"],
    )


def _prefs_values(prefs: DigestPrefs) -> dict:
    return {
        "frequency": prefs.frequency,
        "send_hour": prefs.send_hour,
        "send_weekday": prefs.send_weekday,
        "include_trending": prefs.include_trending,
        "queries": [{"query": q.query, "min_score": q.min_score} for q in prefs.queries],
        "categories": list(prefs.categories),
    }


def _schedule_changed(old: DigestPrefs, new: DigestPrefs) -> bool:
    return (old.frequency, old.send_hour, old.send_weekday) != (
        new.frequency,
        new.send_hour,
        new.send_weekday,
    )


@dataclass(frozen=True, slots=True)
class SubscribeOutcome:
    subscription: Subscription
    previous_status: SubscriptionStatus | None  # None: a new address
    send_mail: bool  # False: a mail went to this address too recently


@dataclass(frozen=True, slots=True)
class Schedule:
    """What planning needs of an active subscription."""

    id: int
    prefs: DigestPrefs
    schedule_from: datetime | None


def record_bounce(conn: Connection, subscription_id: int, max_bounces: int, now: datetime) -> bool:
    """Count a permanent failure inside the caller's transaction; suspend the address after
    `max_bounces` in a row. True if this bounce suspended it."""
    conn.execute(
        subscriptions.update()
        .where(subscriptions.c.id == subscription_id)
        .values(bounce_count=subscriptions.c.bounce_count + 1, updated_at=now)
    )
    suspended = conn.execute(
        subscriptions.update()
        .where(
            subscriptions.c.id == subscription_id,
            subscriptions.c.bounce_count >= max_bounces,
            subscriptions.c.status == "active",
        )
        .values(status="suspended", updated_at=now)
    )
    return suspended.rowcount > 0


def reset_bounces(conn: Connection, subscription_id: int) -> None:
    """A delivered message ends a run of bounces (they count consecutive failures)."""
    conn.execute(
        subscriptions.update()
        .where(subscriptions.c.id == subscription_id, subscriptions.c.bounce_count > 0)
        .values(bounce_count=0)
    )


class SubscriptionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- reads ---------------------------------------------------------------------------
    def get(self, subscription_id: int) -> Subscription | None:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.id == subscription_id)
            ).first()
        return subscription_from_row(row) if row else None

    def by_email(self, email: str) -> Subscription | None:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.email == email)
            ).first()
        return subscription_from_row(row) if row else None

    def resolve_token(
        self, token_hash: str, purposes: Sequence[TokenPurpose], now: datetime
    ) -> tuple[Subscription, TokenPurpose] | None:
        """The subscription a (hashed) token opens, if it exists, has a fitting purpose and
        has not expired."""
        query = (
            sa.select(subscriptions, subscription_tokens.c.purpose.label("token_purpose"))
            .select_from(
                subscription_tokens.join(
                    subscriptions, subscriptions.c.id == subscription_tokens.c.subscription_id
                )
            )
            .where(
                subscription_tokens.c.token_hash == token_hash,
                subscription_tokens.c.purpose.in_(list(purposes)),
                sa.or_(
                    subscription_tokens.c.expires_at.is_(None),
                    subscription_tokens.c.expires_at > now,
                ),
            )
        )
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return (subscription_from_row(row), row.token_purpose) if row else None

    def active_schedules(self) -> list[Schedule]:
        query = sa.select(subscriptions).where(subscriptions.c.status == "active")
        with self.db.read() as conn:
            return [
                Schedule(r.id, prefs_from_row(r._mapping), as_utc(r.schedule_from))
                for r in conn.execute(query)
            ]

    def count_by_status(self) -> dict[str, int]:
        query = sa.select(subscriptions.c.status, sa.func.count()).group_by(subscriptions.c.status)
        with self.db.read() as conn:
            return {status: n for status, n in conn.execute(query)}

    # --- writes --------------------------------------------------------------------------
    def subscribe(
        self,
        email: str,
        prefs: DigestPrefs,
        *,
        now: datetime,
        token_hash: str,
        confirm_expires_at: datetime,
        resend_interval_s: float,
    ) -> SubscribeOutcome:
        """Record a subscribe request and store the token for the mail it triggers.

        A new, unsubscribed or suspended address becomes `pending` with these preferences and
        gets a `confirm` token. An `active` one keeps its preferences (whoever filled in the
        form may not own the address) and gets a `manage` token instead, for a "you are
        already subscribed" mail. No token and no mail if one went out within the interval.
        """
        with self.db.write() as conn:
            query = sa.select(subscriptions).where(subscriptions.c.email == email)
            if self.db.dialect == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                inserted = conn.execute(
                    subscriptions.insert()
                    .values(
                        email=email,
                        status="pending",
                        created_at=now,
                        updated_at=now,
                        bounce_count=0,
                        **_prefs_values(prefs),
                    )
                    .returning(subscriptions.c.id)
                )
                subscription_id = inserted.scalar_one()
                previous: SubscriptionStatus | None = None
                last_mail = None
            else:
                subscription_id, previous = row.id, row.status
                last_mail = as_utc(row.confirm_sent_at)
                if previous != "active":
                    conn.execute(
                        subscriptions.update()
                        .where(subscriptions.c.id == subscription_id)
                        .values(
                            status="pending", bounce_count=0, updated_at=now, **_prefs_values(prefs)
                        )
                    )
            send = last_mail is None or now - last_mail >= timedelta(seconds=resend_interval_s)
            if send:
                conn.execute(
                    subscriptions.update()
                    .where(subscriptions.c.id == subscription_id)
                    .values(confirm_sent_at=now)
                )
                conn.execute(
                    subscription_tokens.insert().values(
                        token_hash=token_hash,
                        subscription_id=subscription_id,
                        purpose="manage" if previous == "active" else "confirm",
                        created_at=now,
                        expires_at=None if previous == "active" else confirm_expires_at,
                    )
                )
            stored = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.id == subscription_id)
            ).one()
        return SubscribeOutcome(subscription_from_row(stored), previous, send)

    def mail_failed(self, subscription_id: int) -> None:
        """The subscribe mail did not go out: let the next request send one at once."""
        with self.db.write() as conn:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.id == subscription_id)
                .values(confirm_sent_at=None)
            )

    def add_token(
        self,
        subscription_id: int,
        token_hash: str,
        purpose: TokenPurpose,
        *,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                subscription_tokens.insert().values(
                    token_hash=token_hash,
                    subscription_id=subscription_id,
                    purpose=purpose,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def confirm(self, subscription_id: int, *, now: datetime) -> bool:
        """pending -> active; the first digest is the first slot from now. Confirm tokens
        are single-use: all of this subscription's are deleted. False if not pending."""
        with self.db.write() as conn:
            changed = conn.execute(
                subscriptions.update()
                .where(subscriptions.c.id == subscription_id, subscriptions.c.status == "pending")
                .values(
                    status="active",
                    confirmed_at=now,
                    schedule_from=now,
                    updated_at=now,
                    unsubscribed_at=None,
                )
            ).rowcount
            conn.execute(
                subscription_tokens.delete().where(
                    subscription_tokens.c.subscription_id == subscription_id,
                    subscription_tokens.c.purpose == "confirm",
                )
            )
        return changed > 0

    def update_prefs(self, subscription_id: int, prefs: DigestPrefs, *, now: datetime) -> None:
        """New preferences; a new schedule starts from now (no slot before it is sent)."""
        with self.db.write() as conn:
            row = conn.execute(
                sa.select(subscriptions).where(subscriptions.c.id == subscription_id)
            ).one()
            values = {**_prefs_values(prefs), "updated_at": now}
            if _schedule_changed(prefs_from_row(row._mapping), prefs):
                values["schedule_from"] = now
            conn.execute(
                subscriptions.update().where(subscriptions.c.id == subscription_id).values(values)
            )

    def unsubscribe(self, subscription_id: int, *, now: datetime) -> bool:
        """-> unsubscribed (idempotent). Pending deliveries are cancelled when claimed."""
        with self.db.write() as conn:
            changed = conn.execute(
                subscriptions.update()
                .where(
                    subscriptions.c.id == subscription_id,
                    subscriptions.c.status != "unsubscribed",
                )
                .values(status="unsubscribed", unsubscribed_at=now, updated_at=now)
            ).rowcount
        return changed > 0

    def insert_active(
        self, emails: Sequence[str], prefs: DigestPrefs, *, now: datetime
    ) -> list[int]:
        """Add confirmed subscriptions in bulk (migrating a list from elsewhere; benchmarks)."""
        rows = [
            {
                "email": email,
                "status": "active",
                "created_at": now,
                "updated_at": now,
                "confirmed_at": now,
                "schedule_from": now,
                "bounce_count": 0,
                **_prefs_values(prefs),
            }
            for email in emails
        ]
        ids: list[int] = []
        with self.db.write() as conn:
            for start in range(0, len(rows), 1000):
                result = conn.execute(
                    subscriptions.insert().returning(subscriptions.c.id), rows[start : start + 1000]
                )
                ids.extend(result.scalars())
        return ids
