"""The one place that knows SQL for digest deliveries and the papers each one sent.

Every state change is a conditional UPDATE that names the claimer, so a process that lost its
claim (its lease ran out and another process took the row) changes nothing. A claim is
`SELECT id ... LIMIT n [FOR UPDATE SKIP LOCKED]` then a conditional `UPDATE ... RETURNING`
in one transaction: on SQLite it is `BEGIN IMMEDIATE`, so claimers are serialised by the
database; on PostgreSQL `SKIP LOCKED` lets concurrent claimers take disjoint rows.
The protocol these steps implement is described in services/digests.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.domain.digests import FeedbackLink, Subscription
from dailypapers.storage.database import Database
from dailypapers.storage.digest_tables import digest_deliveries, digest_items, subscriptions
from dailypapers.storage.digest_tables import subscription_tokens as tokens
from dailypapers.storage.feedback_links import insert_links
from dailypapers.storage.subscriptions import record_bounce, subscription_from_row
from dailypapers.storage.subscriptions import reset_bounces as end_bounces
from dailypapers.storage.tables import as_utc

d = digest_deliveries
OUTSTANDING = ("pending", "claimed", "sending")
UNCERTAIN_NOTE = (
    "the sender stopped after starting the SMTP transfer and before recording the reply; "
    "not resent (at most once)"
)


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    subscription_id: int
    period: str
    due_at: datetime
    message_id: str


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: int
    subscription: Subscription
    period: str
    due_at: datetime
    message_id: str
    attempts: int
    previous_due_at: datetime | None  # slot of this subscription's last sent digest
    resending: bool = False  # left in `sending` by a dead claimer (digest_resend_uncertain)


SendingResult = Literal["ok", "lost", "repeat"]


class _Rollback(Exception):
    def __init__(self, result: SendingResult) -> None:
        self.result = result


class DeliveryStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
        # The statements every message runs, built once (SQLAlchemy's statement building
        # was a visible share of a send's CPU time in bench/digest_bench.py).
        self._to_sending = (
            d.update()
            .where(
                d.c.id == sa.bindparam("b_id"),
                d.c.claimer == sa.bindparam("b_claimer"),
                d.c.state.in_(("claimed", "sending")),
            )
            .values(
                state="sending",
                sending_at=sa.bindparam("b_now"),
                lease_until=sa.bindparam("b_lease"),
                item_count=sa.bindparam("b_count"),
            )
        )
        self._record_items = (
            self._insert(digest_items)
            .on_conflict_do_nothing(index_elements=["subscription_id", "arxiv_id"])
            .returning(digest_items.c.arxiv_id)
        )
        self._store_tokens = tokens.insert()
        self._to_sent = (
            d.update()
            .where(
                d.c.id == sa.bindparam("b_id"),
                d.c.claimer == sa.bindparam("b_claimer"),
                d.c.state.in_(("sending", "uncertain")),
            )
            .values(
                state="sent",
                smtp_reply=sa.bindparam("b_reply"),
                finished_at=sa.bindparam("b_now"),
                lease_until=None,
            )
            .returning(d.c.subscription_id)
        )
        self._sent_ids = sa.select(digest_items.c.arxiv_id).where(
            digest_items.c.subscription_id == sa.bindparam("b_sub"),
            digest_items.c.arxiv_id.in_(sa.bindparam("b_ids", expanding=True)),
        )

    # --- planning ------------------------------------------------------------------------
    def plan(self, rows: Sequence[PlannedDelivery], *, now: datetime) -> int:
        """Create pending deliveries; a (subscription, period) that has one keeps it."""
        created = 0
        stmt = (
            self._insert(d)
            .on_conflict_do_nothing(index_elements=["subscription_id", "period"])
            .returning(d.c.id)
        )
        values = [
            {
                "subscription_id": r.subscription_id,
                "period": r.period,
                "due_at": r.due_at,
                "state": "pending",
                "not_before": now,
                "attempts": 0,
                "message_id": r.message_id,
                "created_at": now,
            }
            for r in rows
        ]
        for start in range(0, len(values), 1000):
            with self.db.write() as conn:
                created += len(conn.execute(stmt, values[start : start + 1000]).all())
        return created

    # --- claiming ------------------------------------------------------------------------
    def claim(
        self,
        claimer: str,
        *,
        now: datetime,
        lease_s: float,
        limit: int,
        resend_uncertain: bool = False,
    ) -> list[ClaimedDelivery]:
        """Take up to `limit` deliveries that are due, or whose claimer's lease ran out.

        A row left in `sending` by a dead claimer is ambiguous (the SMTP server may have
        accepted it): it becomes `uncertain` and is not sent again, unless
        `resend_uncertain` asks for at-least-once instead. Deliveries of subscriptions that
        are no longer active are cancelled here rather than sent.
        """
        lease_until = now + timedelta(seconds=lease_s)
        stale_sending = sa.and_(d.c.state == "sending", d.c.lease_until < now)
        claimable = [
            sa.and_(d.c.state == "pending", d.c.not_before <= now),
            sa.and_(d.c.state == "claimed", d.c.lease_until < now),
        ]
        if resend_uncertain:
            claimable.append(stale_sending)
        with self.db.write() as conn:
            # Two statements, not `UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE
            # SKIP LOCKED)`: PostgreSQL may rescan such a subquery once per outer row, and
            # each rescan locks the next n rows, so one claimer would take them all.
            if not resend_uncertain:
                stale = self._locked_ids(conn, sa.select(d.c.id).where(stale_sending))
                if stale:
                    conn.execute(
                        d.update()
                        .where(d.c.id.in_(stale), stale_sending)
                        .values(state="uncertain", finished_at=now, last_error=UNCERTAIN_NOTE)
                    )
            ids = self._locked_ids(
                conn, sa.select(d.c.id).where(sa.or_(*claimable)).order_by(d.c.id).limit(limit)
            )
            if not ids:
                return []
            claimed = (
                conn.execute(
                    d.update()
                    .where(d.c.id.in_(ids), sa.or_(*claimable))
                    .values(state="claimed", claimer=claimer, lease_until=lease_until)
                    .returning(d.c.id)
                )
                .scalars()
                .all()
            )
            if not claimed:
                return []
            conn.execute(
                d.update()
                .where(
                    d.c.id.in_(claimed),
                    d.c.subscription_id.in_(
                        sa.select(subscriptions.c.id).where(subscriptions.c.status != "active")
                    ),
                )
                .values(state="cancelled", finished_at=now, last_error="subscription not active")
            )
            p = digest_deliveries.alias("prev")
            previous = (
                sa.select(sa.func.max(p.c.due_at))
                .where(
                    p.c.subscription_id == d.c.subscription_id,
                    p.c.state.in_(("sent", "uncertain")),
                    p.c.due_at < d.c.due_at,
                )
                .scalar_subquery()
            )
            rows = conn.execute(
                sa.select(
                    subscriptions,
                    d.c.id.label("delivery_id"),
                    d.c.period,
                    d.c.due_at,
                    d.c.message_id,
                    d.c.attempts,
                    d.c.sending_at,
                    previous.label("previous_due_at"),
                )
                .select_from(d.join(subscriptions, subscriptions.c.id == d.c.subscription_id))
                .where(d.c.id.in_(claimed), d.c.state == "claimed")
                .order_by(d.c.id)
            ).all()
        return [
            ClaimedDelivery(
                id=r.delivery_id,
                subscription=subscription_from_row(r),
                period=r.period,
                due_at=as_utc(r.due_at),
                message_id=r.message_id,
                attempts=r.attempts,
                previous_due_at=as_utc(r.previous_due_at),
                resending=r.sending_at is not None,
            )
            for r in rows
        ]

    def _locked_ids(self, conn: sa.Connection, query: sa.Select) -> list[int]:
        """Run an id query, locking its rows and skipping rows others hold (PostgreSQL);
        on SQLite the `BEGIN IMMEDIATE` transaction already excludes other writers."""
        if self.db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(conn.execute(query).scalars())

    # --- the send protocol ---------------------------------------------------------------
    def mark_sending(
        self,
        delivery: ClaimedDelivery,
        claimer: str,
        *,
        now: datetime,
        lease_s: float,
        items: Sequence[tuple[str, str]],
        token_hashes: Sequence[tuple[str, str]],
        feedback_links: Sequence[FeedbackLink] = (),
    ) -> SendingResult:
        """The point of no return, committed just before the message's final `.` is sent.

        In one transaction: claimed -> sending with a fresh lease, the papers of this digest
        recorded as sent (`items`: (base arXiv id, reason)), and the hashes of the links'
        tokens stored (`token_hashes`: (hash, purpose); `feedback_links`: its 👍/👎 links).
        "lost": the claim is no longer ours.
        "repeat": another delivery sent one of these papers meanwhile; nothing is written.
        """
        sub_id = delivery.subscription.id
        try:
            with self.db.write() as conn:
                moved = conn.execute(
                    self._to_sending,
                    {
                        "b_id": delivery.id,
                        "b_claimer": claimer,
                        "b_now": now,
                        "b_lease": now + timedelta(seconds=lease_s),
                        "b_count": len(items),
                    },
                ).rowcount
                if not moved:
                    raise _Rollback("lost")
                if delivery.resending:  # the papers recorded by the earlier attempt
                    conn.execute(
                        digest_items.delete().where(digest_items.c.delivery_id == delivery.id)
                    )
                if items:
                    rows = [
                        {
                            "subscription_id": sub_id,
                            "arxiv_id": arxiv_id,
                            "delivery_id": delivery.id,
                            "reason": reason,
                        }
                        for arxiv_id, reason in items
                    ]
                    if len(conn.execute(self._record_items, rows).all()) != len(rows):
                        raise _Rollback("repeat")
                if token_hashes:
                    conn.execute(
                        self._store_tokens,
                        [
                            {
                                "token_hash": token_hash,
                                "subscription_id": sub_id,
                                "purpose": purpose,
                                "created_at": now,
                            }
                            for token_hash, purpose in token_hashes
                        ],
                    )
                insert_links(conn, feedback_links, now=now)
        except _Rollback as stop:
            return stop.result
        return "ok"

    def mark_sent(
        self,
        delivery_id: int,
        claimer: str,
        *,
        reply: str,
        now: datetime,
        reset_bounces: bool = True,
    ) -> bool:
        """Record the server's 250 reply: the first and only write after the send.
        `reset_bounces`: the address had bounces before, which this success ends."""
        with self.db.write() as conn:
            row = conn.execute(
                self._to_sent,
                {"b_id": delivery_id, "b_claimer": claimer, "b_reply": reply[:500], "b_now": now},
            ).first()
            if row is not None and reset_bounces:
                end_bounces(conn, row.subscription_id)
        return row is not None

    def mark_retry(
        self,
        delivery_id: int,
        claimer: str,
        *,
        error: str,
        now: datetime,
        retry_at: datetime | None,
    ) -> bool:
        """A temporary failure: back to pending until `retry_at`, or failed when None.
        Nothing was delivered, so this digest's papers are no longer recorded as sent."""
        values: dict = {
            "last_error": error[:1000],
            "claimer": None,
            "lease_until": None,
            "attempts": d.c.attempts + 1,
        }
        if retry_at is None:
            values.update(state="failed", finished_at=now)
        else:
            values.update(state="pending", not_before=retry_at)
        with self.db.write() as conn:
            changed = conn.execute(
                d.update()
                .where(
                    d.c.id == delivery_id,
                    d.c.claimer == claimer,
                    d.c.state.in_(("claimed", "sending")),
                )
                .values(values)
            ).rowcount
            if changed:
                conn.execute(digest_items.delete().where(digest_items.c.delivery_id == delivery_id))
        return changed > 0

    def mark_failed(
        self,
        delivery_id: int,
        claimer: str,
        *,
        error: str,
        now: datetime,
        bounce: bool,
        max_bounces: int,
    ) -> bool:
        """A permanent failure: recorded, never retried; a bounce counts towards suspending
        the address. Returns True if this suspended the subscription."""
        with self.db.write() as conn:
            row = conn.execute(
                d.update()
                .where(
                    d.c.id == delivery_id,
                    d.c.claimer == claimer,
                    d.c.state.in_(("claimed", "sending")),
                )
                .values(
                    state="failed",
                    last_error=error[:1000],
                    finished_at=now,
                    lease_until=None,
                )
                .returning(d.c.subscription_id)
            ).first()
            if row is None:
                return False
            conn.execute(digest_items.delete().where(digest_items.c.delivery_id == delivery_id))
            return bounce and record_bounce(conn, row.subscription_id, max_bounces, now)

    def mark_uncertain(self, delivery_id: int, claimer: str, *, error: str, now: datetime) -> bool:
        """The transfer was started and no reply came: maybe delivered. Kept as sent-maybe
        (its papers stay recorded) and not retried."""
        with self.db.write() as conn:
            return (
                conn.execute(
                    d.update()
                    .where(d.c.id == delivery_id, d.c.claimer == claimer, d.c.state == "sending")
                    .values(
                        state="uncertain",
                        last_error=error[:1000],
                        finished_at=now,
                        lease_until=None,
                    )
                ).rowcount
                > 0
            )

    def mark_skipped(self, delivery_id: int, claimer: str, *, note: str, now: datetime) -> bool:
        """Nothing new to send this period: done, without a message."""
        with self.db.write() as conn:
            return (
                conn.execute(
                    d.update()
                    .where(d.c.id == delivery_id, d.c.claimer == claimer, d.c.state == "claimed")
                    .values(state="skipped", last_error=note, finished_at=now, lease_until=None)
                ).rowcount
                > 0
            )

    def release(self, delivery_id: int, claimer: str) -> None:
        """Give a claim back untouched, for another try (or another process)."""
        with self.db.write() as conn:
            conn.execute(
                d.update()
                .where(d.c.id == delivery_id, d.c.claimer == claimer, d.c.state == "claimed")
                .values(state="pending", claimer=None, lease_until=None)
            )

    # --- reads ---------------------------------------------------------------------------
    def sent_ids(self, subscription_id: int, candidates: Sequence[str]) -> set[str]:
        """Which of these (base) arXiv ids were ever sent to this subscription."""
        if not candidates:
            return set()
        with self.db.read() as conn:
            rows = conn.execute(
                self._sent_ids, {"b_sub": subscription_id, "b_ids": list(candidates)}
            )
            return set(rows.scalars())

    def existing(self, periods: Sequence[str]) -> dict[tuple[int, str], str]:
        """State of each delivery of these periods, by (subscription id, period)."""
        if not periods:
            return {}
        query = sa.select(d.c.subscription_id, d.c.period, d.c.state).where(
            d.c.period.in_(list(periods))
        )
        with self.db.read() as conn:
            return {(r.subscription_id, r.period): r.state for r in conn.execute(query)}

    def last_sent_due_at(self, subscription_id: int, before: datetime) -> datetime | None:
        """Slot of the newest digest (maybe) sent to this subscription before `before`."""
        query = sa.select(sa.func.max(d.c.due_at)).where(
            d.c.subscription_id == subscription_id,
            d.c.state.in_(("sent", "uncertain")),
            d.c.due_at < before,
        )
        with self.db.read() as conn:
            return as_utc(conn.execute(query).scalar())

    def next_wakeup(self, now: datetime) -> datetime | None:
        """When outstanding work (a retry's not_before, a live claim's lease) may next be
        claimable; None when nothing is outstanding."""
        query = sa.select(
            sa.func.min(sa.case((d.c.state == "pending", d.c.not_before), else_=d.c.lease_until))
        ).where(d.c.state.in_(OUTSTANDING))
        with self.db.read() as conn:
            value = as_utc(conn.execute(query).scalar())
        return None if value is None else max(value, now)

    def counts(self, period: str | None = None) -> dict[str, int]:
        query = sa.select(d.c.state, sa.func.count()).group_by(d.c.state)
        if period is not None:
            query = query.where(d.c.period == period)
        with self.db.read() as conn:
            return {state: n for state, n in conn.execute(query)}

    def outstanding(self) -> int:
        query = sa.select(sa.func.count()).select_from(d).where(d.c.state.in_(OUTSTANDING))
        with self.db.read() as conn:
            return conn.execute(query).scalar_one()

    def for_subscription(self, subscription_id: int) -> list[dict]:
        """Deliveries of one subscription, newest first (the manage page shows a few)."""
        query = (
            sa.select(d.c.period, d.c.state, d.c.item_count, d.c.finished_at, d.c.last_error)
            .where(d.c.subscription_id == subscription_id)
            .order_by(d.c.due_at.desc())
            .limit(20)
        )
        with self.db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
