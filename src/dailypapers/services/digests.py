"""Sending digests: every due digest once, never a paper twice, whatever crashes.

`send_due(now)` is what the scheduler calls: it plans the current slot of every active
subscription and sends what is outstanding. `dailypapers digest send` does the same, or
`send_period(label)` for one period, and waits until nothing is left. What each digest holds
is chosen by services/digest_content.py (`DigestContent.items`); this module owns when and how
it is sent. `preview`, `dry_run` and `status` answer the subscription pages and the CLI.

## The delivery protocol (exactly once, as far as SMTP allows)

1. **Plan**: one `digest_deliveries` row per (subscription, period), unique; planning twice,
   or from two processes, creates it once. Its Message-ID is fixed here, per (subscription,
   period): random (no row number in a header), stored in the row, reused by every attempt.
2. **Claim**: a conditional UPDATE moves rows pending -> claimed with this process's claimer
   id and a lease (`digest_lease_s`); only one process wins a row (SQLite: `BEGIN IMMEDIATE`
   serialises claimers; PostgreSQL: `FOR UPDATE SKIP LOCKED`). A claimed row whose lease ran
   out (its process died) is claimable again: nothing had left that process yet.
3. **Render**: papers already recorded for this subscription are left out.
4. **Sending**: the SMTP transaction runs up to the end of the message body. Right before
   the final `.`, one transaction moves the row claimed -> sending (only if the claim is
   still ours) and records its papers in `digest_items` and its link tokens. Then the `.`.
5. **Sent**: the server's 250 reply is recorded at once, before anything else happens.
   A 4xx puts the row back to pending with a backoff (`smtp_retry_backoff_s`, doubling, at
   most `smtp_max_attempts`); a 5xx fails it and counts a bounce (`digest_max_bounces`
   suspend the address); in both cases its papers are un-recorded.

The window left: between the commit of step 4 and the commit of step 5 the outcome lives
only in the SMTP server. If the process dies there, the row stays `sending` until its lease
runs out, and nobody can tell whether the server took the message (it usually did: the
window is one line and one reply). Such a row becomes `uncertain` and is **not** sent again:
at most once, never a duplicate. The only loss is a death in the microseconds between that
commit and writing the `.` (before it, the server discards the unterminated message), and
it is visible as `uncertain` in `dailypapers digest status`. Operators who prefer at least
once set `digest_resend_uncertain`: the row is then sent again with the same Message-ID, so
mail clients that deduplicate by Message-ID still show one message.

Leases and retries run on the wall clock; what a digest contains and which slot is due run
on `now`/the slot time, so tests and back-fills can send "as of" any day.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from dailypapers.config import DigestSettings, SiteSettings
from dailypapers.domain.digests import (
    DigestItem,
    DigestPrefs,
    FeedbackLink,
    ForYouForDigest,
    SearchForDigest,
    Subscription,
    label_frequency,
    latest_slot,
    message_id,
    slot_for_label,
    slot_label,
)
from dailypapers.errors import ConfigurationError
from dailypapers.mail.mailer import (
    MailConfigError,
    Mailer,
    MailSession,
    PermanentFailure,
    TemporaryFailure,
    UncertainDelivery,
)
from dailypapers.mail.messages import DigestComposer, MailSite
from dailypapers.services.clock import Clock, utc_now
from dailypapers.services.digest_content import CandidateCache, DigestContent
from dailypapers.services.tokens import hash_token, new_token
from dailypapers.storage.category_listings import CategoryPapers
from dailypapers.storage.deliveries import ClaimedDelivery, DeliveryStore, PlannedDelivery
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.subscriptions import SubscriptionStore

Progress = Callable[["DigestRunReport"], None]


def feedback_path(verdict: str, token: str, arxiv_id: str) -> str:
    """Where a digest's 👍 (`up`) or 👎 (`down`) link leads: the page that asks to confirm
    (web/feedback_link_routes.py). The paper and verdict in the URL must match the token's."""
    return f"/digest/feedback/{verdict}/{token}?" + urlencode({"paper": arxiv_id})


POLL_S = 1.0  # while waiting on other processes' claims or on retries
RENDER_TRIES = 3


@dataclass
class DigestRunReport:
    planned: int = 0  # deliveries created by this run
    outstanding: int = 0  # deliveries waiting when sending started
    sent: int = 0
    skipped: int = 0  # nothing new for that subscriber this period
    retried: int = 0  # temporary failures put back with a backoff
    failed: int = 0
    uncertain: int = 0
    lost: int = 0  # claims taken over by another process
    suspended: int = 0
    claimer: str = ""
    stopped: str | None = None  # why the run ended early (mail server unreachable)

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed + self.uncertain

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DryRunRow:
    subscription_id: int
    email: str
    period: str
    state: str | None  # the delivery's state if one exists
    items: int


class _Abort(Exception):
    def __init__(self, result: str) -> None:
        self.result = result


class _ServerDown(Exception):
    """The mail server can't be reached: stop this run instead of failing every digest."""


@dataclass
class _RunCache:
    """What the subscribers of one run share: candidates (once per key) and renderings."""

    composer: DigestComposer
    candidates: CandidateCache = field(default_factory=CandidateCache)


class DigestService:
    def __init__(
        self,
        settings: DigestSettings,
        site_settings: SiteSettings,
        site: MailSite,
        papers: PaperStore,
        deliveries: DeliveryStore,
        subscriptions: SubscriptionStore,
        search: SearchForDigest,
        categories: CategoryPapers,
        mailer: Mailer,
        clock: Clock,
        *,
        wall_clock: Clock = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        for_you: ForYouForDigest | None = None,
    ) -> None:
        self.settings = settings
        self.deliveries = deliveries
        self.subscriptions = subscriptions
        self.search = search
        self.mailer = mailer
        self.clock = clock
        self.wall_clock = wall_clock
        self.sleep = sleep
        self.site = site
        self.content = DigestContent(
            settings, site_settings, site, papers, deliveries, search, categories, clock, for_you
        )

    # --- planning ------------------------------------------------------------------------
    def _planned(self, slot_of: Callable[[DigestPrefs], datetime | None]) -> list[PlannedDelivery]:
        rows = []
        for schedule in self.subscriptions.active_schedules():
            slot = slot_of(schedule.prefs)
            if slot is None or (schedule.schedule_from and slot < schedule.schedule_from):
                continue
            period = slot_label(schedule.prefs.frequency, slot)
            rows.append(
                PlannedDelivery(  # a second planner's id loses to the stored row's
                    schedule.id,
                    period,
                    slot,
                    message_id(period, self.site.domain, secrets.token_hex(16)),
                )
            )
        return rows

    def _due_slots(self, now: datetime) -> Callable[[DigestPrefs], datetime | None]:
        return lambda prefs: latest_slot(prefs, now)

    def _period_slots(self, label: str) -> Callable[[DigestPrefs], datetime | None]:
        frequency = label_frequency(label)
        slot_for_label(DigestPrefs(frequency=frequency), label)  # BadRequest if malformed
        return lambda prefs: slot_for_label(prefs, label) if prefs.frequency == frequency else None

    def _plan(self, rows: list[PlannedDelivery]) -> int:
        # Reading what exists first keeps a run with nothing new (the scheduler calls this
        # every tick) to one read; the insert's ON CONFLICT still settles races.
        existing = self.deliveries.existing(sorted({r.period for r in rows}))
        missing = [r for r in rows if (r.subscription_id, r.period) not in existing]
        return self.deliveries.plan(missing, now=self.wall_clock()) if missing else 0

    def plan_due(self, now: datetime | None = None) -> int:
        """Create the delivery of each active subscription's latest slot at or before `now`."""
        return self._plan(self._planned(self._due_slots(now or self.clock())))

    def plan_period(self, label: str) -> int:
        """Create the deliveries of one period (`2026-08-21` daily, `2026-W34` weekly)."""
        return self._plan(self._planned(self._period_slots(label)))

    # --- sending -------------------------------------------------------------------------
    def send_due(
        self,
        now: datetime | None = None,
        *,
        wait: bool = False,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> DigestRunReport:
        """Send every due digest, idempotently: for the scheduler (safe in many processes,
        cheap when nothing is due, so it can run on every tick).

        `wait=False` returns once nothing is claimable; retries and other processes' claims
        are picked up by a later call. `wait=True` stays until nothing is outstanding.
        `stop` (the scheduler's shutdown event) ends the run between two messages; what is
        left is sent by the next run.
        """
        planned = self.plan_due(now)
        report = self._drain(wait=wait, progress=progress, stop=stop)
        report.planned = planned
        return report

    def send_period(
        self,
        label: str,
        *,
        wait: bool = True,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> DigestRunReport:
        planned = self.plan_period(label)
        report = self._drain(wait=wait, progress=progress, stop=stop)
        report.planned = planned
        return report

    def _drain(
        self, *, wait: bool, progress: Progress | None, stop: threading.Event | None = None
    ) -> DigestRunReport:
        settings = self.settings
        claimer = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        report = DigestRunReport(outstanding=self.deliveries.outstanding(), claimer=claimer)
        cache = _RunCache(DigestComposer(self.site))
        # A claimed batch must be sent well within its lease, even when throttled.
        batch_size = settings.digest_claim_batch
        if settings.smtp_rate_limit_per_s > 0:
            fits = int(settings.digest_lease_s * settings.smtp_rate_limit_per_s / 2)
            batch_size = max(1, min(batch_size, fits))
        if progress:
            progress(report)
        with self.mailer.session() as session:
            while True:
                now = self.wall_clock()
                batch = self.deliveries.claim(
                    claimer,
                    now=now,
                    lease_s=settings.digest_lease_s,
                    limit=batch_size,
                    resend_uncertain=settings.digest_resend_uncertain,
                )
                if batch:
                    for position, delivery in enumerate(batch):
                        if stop is not None and stop.is_set():
                            for untouched in batch[position:]:
                                self.deliveries.release(untouched.id, claimer)
                            return report
                        try:
                            self._deliver(delivery, session, claimer, cache, report)
                        except _ServerDown as down:
                            for untouched in batch[position + 1 :]:
                                self.deliveries.release(untouched.id, claimer)
                            report.stopped = str(down)
                            return report
                        except MailConfigError as exc:
                            for untouched in batch[position:]:
                                self.deliveries.release(untouched.id, claimer)
                            raise ConfigurationError(f"mail settings: {exc}") from exc
                        except BaseException:
                            for untouched in batch[position:]:
                                self.deliveries.release(untouched.id, claimer)
                            raise
                        if progress:
                            progress(report)
                    continue
                wake = self.deliveries.next_wakeup(now)
                if wake is None or not wait or (stop is not None and stop.is_set()):
                    break
                self.sleep(min(max((wake - now).total_seconds(), 0.05), POLL_S))
        return report

    def _deliver(
        self,
        delivery: ClaimedDelivery,
        session: MailSession,
        claimer: str,
        cache: _RunCache,
        report: DigestRunReport,
    ) -> None:
        settings = self.settings
        subscription = delivery.subscription
        for _ in range(RENDER_TRIES):
            items = self.content.items(
                subscription, delivery.due_at, delivery.previous_due_at, cache.candidates
            )
            if not items:
                self.deliveries.mark_skipped(
                    delivery.id, claimer, note="nothing new", now=self.wall_clock()
                )
                report.skipped += 1
                return
            manage, unsubscribe = new_token(), new_token()
            feedback, links = self._feedback_links(subscription, items)
            message = cache.composer.compose(
                email=subscription.email,
                prefs=subscription.prefs,
                period=delivery.period,
                items=items,
                manage_url=self.site.url(f"/subscriptions/{manage}"),
                unsubscribe_url=self.site.url(f"/unsubscribe/{unsubscribe}"),
                message_id=delivery.message_id,
                date=self.wall_clock(),
                feedback=feedback,
            )

            tokens = [(hash_token(manage), "manage"), (hash_token(unsubscribe), "unsubscribe")]
            recorded = [(item.key, item.reasons[0].kind) for item in items]

            def point_of_no_return(
                recorded: list = recorded, tokens: list = tokens, links: list = links
            ) -> None:
                result = self.deliveries.mark_sending(
                    delivery,
                    claimer,
                    now=self.wall_clock(),
                    lease_s=settings.digest_lease_s,
                    items=recorded,
                    token_hashes=tokens,
                    feedback_links=links,
                )
                if result != "ok":
                    raise _Abort(result)

            try:
                receipt = session.send(message, before_final=point_of_no_return)
            except _Abort as abort:
                if abort.result == "lost":
                    report.lost += 1
                    return
                continue  # "repeat": another delivery just sent one of these papers
            except TemporaryFailure as exc:
                attempts = delivery.attempts + 1
                retry_at = None
                if attempts < settings.smtp_max_attempts:
                    backoff = settings.smtp_retry_backoff_s * 2 ** (attempts - 1)
                    retry_at = self.wall_clock() + timedelta(seconds=backoff)
                self.deliveries.mark_retry(
                    delivery.id, claimer, error=str(exc), now=self.wall_clock(), retry_at=retry_at
                )
                if retry_at is None:
                    report.failed += 1
                else:
                    report.retried += 1
                if exc.connection:
                    raise _ServerDown(str(exc)) from exc
                return
            except PermanentFailure as exc:
                suspended = self.deliveries.mark_failed(
                    delivery.id,
                    claimer,
                    error=str(exc),
                    now=self.wall_clock(),
                    bounce=exc.bounce,
                    max_bounces=settings.digest_max_bounces,
                )
                report.failed += 1
                report.suspended += int(suspended)
                return
            except UncertainDelivery as exc:
                self.deliveries.mark_uncertain(
                    delivery.id, claimer, error=str(exc), now=self.wall_clock()
                )
                report.uncertain += 1
                return
            # The server said 250: record it before anything else can fail.
            self.deliveries.mark_sent(
                delivery.id,
                claimer,
                reply=str(receipt),
                now=self.wall_clock(),
                reset_bounces=subscription.bounce_count > 0,
            )
            report.sent += 1
            return
        self.deliveries.release(delivery.id, claimer)

    def _feedback_links(
        self, subscription: Subscription, items: list[DigestItem]
    ) -> tuple[dict[str, dict[str, str]], list[FeedbackLink]]:
        """A 👍 and a 👎 link for each "For you" paper: (the URLs by paper, for the mail;
        the links to store, bound to the reader, the paper and the verdict). Fresh random
        tokens (services.tokens) on every rendering; only those of the mail sent are stored."""
        mine = [i for i in items if any(r.kind == "for_you" for r in i.reasons)]
        reader = self.content.reader_id(subscription) if mine else None
        if reader is None:
            return {}, []
        expires = self.wall_clock() + timedelta(days=self.settings.digest_feedback_link_days)
        urls: dict[str, dict[str, str]] = {}
        links: list[FeedbackLink] = []
        for item in mine:
            urls[item.key] = {}
            for verdict, word in ((1, "up"), (-1, "down")):
                token = new_token()
                urls[item.key][word] = self.site.url(feedback_path(word, token, item.key))
                links.append(FeedbackLink(hash_token(token), reader, item.key, verdict, expires))
        return urls, links

    # --- previews and dry runs -----------------------------------------------------------
    def preview(self, subscription: Subscription | None, **options: Any) -> dict[str, Any]:
        """What this subscription would get now: `DigestContent.preview` (same options)."""
        return self.content.preview(subscription, **options)

    def dry_run(self, *, now: datetime | None = None, period: str | None = None) -> list[DryRunRow]:
        """Which digests a send would create now (or for `period`) and how many papers each
        would hold; nothing is written and nothing is sent."""
        slot_of = self._period_slots(period) if period else self._due_slots(now or self.clock())
        planned = self._planned(slot_of)
        states = self.deliveries.existing(sorted({p.period for p in planned}))
        cache = CandidateCache()
        rows = []
        for plan in planned:
            subscription = self.subscriptions.get(plan.subscription_id)
            if subscription is None:
                continue
            state = states.get((plan.subscription_id, plan.period))
            count = 0
            if state in (None, "pending", "claimed"):
                previous = self.deliveries.last_sent_due_at(subscription.id, plan.due_at)
                count = len(self.content.items(subscription, plan.due_at, previous, cache))
            rows.append(DryRunRow(subscription.id, subscription.email, plan.period, state, count))
        return rows

    def status(self, period: str | None = None) -> dict[str, Any]:
        return {
            "deliveries": self.deliveries.counts(period),
            "subscriptions": self.subscriptions.count_by_status(),
        }
