"""Live ingest runs: claim the source, fetch page by page, write each page whole, record it all.

A run of a source (`arxiv`, `oai`, `hf`):
1. claims the source's lease in the database (one run per source at a time across every
   process; `Conflict` if another holds it) and marks runs of that source left 'running' by a
   dead process as failed;
2. picks its window: `--since` (default: where the last successful run of the source ended,
   else `ingest_lookback_days` before today) to `--until` (default: today), and resumes from
   the stored cursor when the latest run of the source failed on the same window;
3. for each page (parsed whole by the source before anything is written): upserts its papers
   and daily entries in one transaction (`PaperStore.upsert` merges, so a replayed page
   changes nothing), then stores its versions, the counts and the next cursor in the next
   transaction, renewing the lease there (fencing); a page whose write fails because the
   database is away is written again, bounded by the `db_retry_*` settings (db_retry.py);
4. ends 'succeeded' or 'failed' with the error, and releases the lease. A heartbeat thread
   keeps the lease alive between pages; a crashed process's lease expires after
   `ingest_lease_s` and its run is resumed by the next one.
New papers need nothing more to become searchable: `dailypapers index` embeds every paper
without a current embedding.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from dailypapers.config import IngestSettings
from dailypapers.domain.ingest import (
    INGEST_SOURCES,
    IngestRun,
    Page,
    RunCounts,
    Trigger,
    daily_slot,
    next_daily_run,
    parse_daily_time,
    parse_sources,
    window_days,
)
from dailypapers.errors import BadRequest, Conflict, DailyPapersError
from dailypapers.ingest.arxiv_api import ArxivApiSource
from dailypapers.ingest.arxiv_oai import OaiSource
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily_api import HfDailySource
from dailypapers.ingest.http import Cancelled, HttpClient
from dailypapers.services.clock import Clock
from dailypapers.services.db_retry import BatchRetry
from dailypapers.services.imports import ImportKind, ImportService
from dailypapers.services.scheduler import Scheduler
from dailypapers.storage.ingest_runs import IngestRunStore, Lease, LeaseLost
from dailypapers.storage.papers import PaperStore

log = logging.getLogger(__name__)

# (done, total or None, label): records for arxiv/oai, days for hf.
RunProgress = Callable[[int, int | None, str], None]

INTERRUPTED = "interrupted: its process stopped before finishing (the lease expired)"
STOPPED = "stopped before finishing (shutdown or signal); the next run resumes from the cursor"


@dataclass(slots=True)
class _Plan:
    source: str
    since: date
    until: date
    params: dict
    cursor: str | None
    resumed_from: int | None


class _Heartbeat:
    """Renews the run's lease every third of `ingest_lease_s`, so slow pages don't lose it."""

    def __init__(
        self, runs: IngestRunStore, source: str, owner: str, run_id: int, lease_s: float, clock
    ) -> None:
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._args = (runs, source, owner, run_id, lease_s, clock)
        self._thread = threading.Thread(target=self._loop, name=f"lease-{source}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        runs, source, owner, run_id, lease_s, clock = self._args
        while not self._stop.wait(lease_s / 3):
            try:
                if not runs.renew(source, owner, now=clock(), lease_s=lease_s):
                    self.lost.set()
                    return
                runs.heartbeat(run_id, now=clock())
            except Exception:  # a busy database: try again next beat, the lease has slack
                log.warning("heartbeat of the %s ingest failed", source, exc_info=True)


class IngestService:
    def __init__(
        self,
        settings: IngestSettings,
        papers: PaperStore,
        runs: IngestRunStore,
        http: HttpClient,
        imports: ImportService,
        clock: Clock,
        retry: BatchRetry,
    ) -> None:
        self.settings = settings
        self.papers = papers
        self.runs = runs
        self.http = http
        self.imports = imports
        self.clock = clock
        limits = RecordLimits.from_settings(settings)
        self.arxiv = ArxivApiSource(
            http,
            settings.arxiv_api_url,
            settings.arxiv_page_size,
            limits,
            fetch_budget_s=settings.submission_fetch_timeout_s,  # submissions wait on it
        )
        self.oai = OaiSource(http, settings.arxiv_oai_url, limits)
        self.hf = HfDailySource(http, settings.hf_api_url, limits)
        self._owner_prefix = f"{socket.gethostname()}:{os.getpid()}"
        self.retry = retry

    def close(self) -> None:
        self.http.close()

    # --- entry points --------------------------------------------------------------------
    def run(
        self,
        source: str,
        *,
        since: date | None = None,
        until: date | None = None,
        categories: list[str] | None = None,
        oai_set: str | None = None,
        oai_format: str | None = None,
        progress: RunProgress | None = None,
        cancel: threading.Event | None = None,
        trigger: Trigger = "cli",
    ) -> IngestRun:
        """Run one source now. Conflict if a run of it is going on anywhere.

        `categories` (arxiv) and `oai_set`/`oai_format` (oai) override the settings.
        """
        if source not in INGEST_SOURCES:
            raise BadRequest(f"unknown source {source!r}; known: {', '.join(INGEST_SOURCES)}")
        owner = self._new_owner()
        if not self.runs.claim(source, owner, now=self.clock(), lease_s=self._lease_s):
            raise Conflict(self._busy_message(source))
        try:
            options = {"categories": categories, "set": oai_set, "format": oai_format}
            return self._run_claimed(
                source, owner, since, until, options, progress, cancel, trigger
            )
        finally:
            self.runs.release(source, owner, now=self.clock())

    def run_scheduled(
        self, source: str, at: time, cancel: threading.Event | None = None
    ) -> IngestRun | None:
        """The daily run of `source`, unless one already started in today's slot (anywhere)."""
        now = self.clock()
        slot = daily_slot(now, at)
        if now < slot:
            return None
        owner = self._new_owner()
        if not self.runs.claim(source, owner, now=now, lease_s=self._lease_s):
            log.info("scheduled %s ingest skipped: %s", source, self._busy_message(source))
            return None
        try:
            # Re-checked under the lease: a worker that finished a moment ago has recorded it.
            started = self.runs.last_started(source, trigger="schedule")
            if started is not None and started >= slot:
                return None
            return self._run_claimed(source, owner, None, None, {}, None, cancel, "schedule")
        finally:
            self.runs.release(source, owner, now=self.clock())

    def register_jobs(self, scheduler: Scheduler) -> None:
        """One daily job per source in `ingest_sources`, at `ingest_schedule_utc`."""
        at = parse_daily_time(self.settings.ingest_schedule_utc)
        for source in parse_sources(self.settings.ingest_sources):

            def next_run(now: datetime, source: str = source) -> datetime:
                return next_daily_run(now, at, self.runs.last_started(source, trigger="schedule"))

            def job(stop: threading.Event, source: str = source) -> IngestRun | None:
                return self.run_scheduled(source, at, cancel=stop)

            scheduler.register(f"ingest:{source}", next_run, job)

    def status(self, *, limit: int = 20, source: str | None = None) -> list[IngestRun]:
        return self.runs.recent(limit=limit, source=source)

    def leases(self) -> dict[str, Lease]:
        return {s: lease for s in INGEST_SOURCES if (lease := self.runs.lease(s)) is not None}

    def import_file(
        self,
        path: Path,
        kind: ImportKind,
        *,
        feature: bool = True,
        progress: Callable[[int, int], None] | None = None,
        bulk: bool | None = None,
    ) -> RunCounts:
        """`dailypapers import`, recorded in ingest_runs as source `import` (no lease)."""
        owner = self._new_owner()
        run_id = self.runs.start(
            source="import",
            trigger="import",
            since=None,
            until=None,
            params={"path": str(path), "kind": kind},
            cursor=None,
            resumed_from=None,
            owner=owner,
            now=self.clock(),
        )
        try:
            counts = self.imports.import_file(
                path, kind, feature=feature, progress=progress, bulk=bulk
            )
        except BaseException as exc:
            self.runs.finish(run_id, status="failed", now=self.clock(), error=_describe(exc))
            raise
        self.retry.run(
            f"import run {run_id}",
            lambda: self.runs.finish(run_id, status="succeeded", now=self.clock(), counts=counts),
        )
        return counts

    # --- one claimed run -----------------------------------------------------------------
    @property
    def _lease_s(self) -> float:
        return self.settings.ingest_lease_s

    def _new_owner(self) -> str:
        return f"{self._owner_prefix}:{uuid.uuid4().hex[:8]}"

    def _busy_message(self, source: str) -> str:
        lease = self.runs.lease(source)
        if lease is None or lease.owner is None:
            return f"a {source} ingest was starting at the same moment"
        return (
            f"a {source} ingest is already running (held by {lease.owner}"
            f"{f', run {lease.run_id}' if lease.run_id else ''}; its lease expires at "
            f"{lease.expires_at:%Y-%m-%d %H:%M:%S} UTC unless renewed)"
        )

    def _plan(self, source: str, since: date | None, until: date | None, options: dict) -> _Plan:
        today = self.clock().date()
        until = until or today
        if since is None:
            last_ok = self.runs.latest(source, status="succeeded")
            if last_ok is not None and last_ok.until is not None:
                since = min(last_ok.until, until)
            else:
                since = until - timedelta(days=self.settings.ingest_lookback_days)
        if until < since:
            raise BadRequest(f"--until {until} is before --since {since}")
        if source == "arxiv":
            chosen = options.get("categories") or _split(self.settings.arxiv_categories)
            params: dict = {"categories": chosen}
        elif source == "oai":
            params = {
                "set": options.get("set") or self.settings.oai_set,
                "format": options.get("format") or self.settings.oai_metadata_prefix,
            }
        else:
            params = {}
        previous = self.runs.latest(source)
        resumable = (
            previous is not None
            and previous.status == "failed"
            and previous.cursor
            and (previous.since, previous.until, previous.params) == (since, until, params)
        )
        return _Plan(
            source,
            since,
            until,
            params,
            previous.cursor if resumable else None,  # type: ignore[union-attr]
            previous.id if resumable else None,  # type: ignore[union-attr]
        )

    def _pages(self, plan: _Plan, cancel: threading.Event | None) -> Iterator[Page]:
        if plan.source == "arxiv":
            return self.arxiv.pages(
                plan.since, plan.until, plan.params["categories"], plan.cursor, cancel
            )
        if plan.source == "oai":
            return self.oai.pages(
                plan.since,
                plan.until,
                set_spec=plan.params["set"],
                metadata_prefix=plan.params["format"],
                cursor=plan.cursor,
                cancel=cancel,
            )
        return self.hf.pages(window_days(plan.since, plan.until), plan.cursor, cancel)

    def _run_claimed(
        self,
        source: str,
        owner: str,
        since: date | None,
        until: date | None,
        options: dict,
        progress: RunProgress | None,
        cancel: threading.Event | None,
        trigger: Trigger,
    ) -> IngestRun:
        abandoned = self.runs.abandon_running(source, now=self.clock(), reason=INTERRUPTED)
        if abandoned:
            log.warning(
                "%d %s run(s) had been left running by a stopped process", abandoned, source
            )
        plan = self._plan(source, since, until, options)
        run_id = self.runs.start(
            source=source,
            trigger=trigger,
            since=plan.since,
            until=plan.until,
            params=plan.params,
            cursor=plan.cursor,
            resumed_from=plan.resumed_from,
            owner=owner,
            now=self.clock(),
            lock_source=source,
        )
        if plan.resumed_from:
            log.info(
                "%s run %d resumes run %d at %s", source, run_id, plan.resumed_from, plan.cursor
            )
        counts = RunCounts()
        cursor = plan.cursor
        days = window_days(plan.since, plan.until)
        days_done = sum(1 for d in days if plan.cursor and d.isoformat() < plan.cursor)
        status, error = "failed", None
        with _Heartbeat(self.runs, source, owner, run_id, self._lease_s, self.clock) as beat:
            try:
                for page in self._pages(plan, cancel):
                    if beat.lost.is_set():
                        raise LeaseLost(f"another process took over the {source} ingest")
                    self._write_page(run_id, source, owner, page, counts)
                    cursor = page.cursor or None
                    if progress and source == "hf":
                        days_done += 1
                        progress(days_done, len(days), page.label)
                    elif progress and source == "arxiv" and page.total is not None:
                        done = int(cursor) if cursor and cursor.isdigit() else page.total
                        progress(done, page.total, page.label)
                    elif progress:
                        progress(counts.fetched, page.total, page.label)
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("stopping")
                status = "succeeded"
            except Cancelled:
                error = STOPPED
            except KeyboardInterrupt:
                self.runs.finish(
                    run_id, status="failed", now=self.clock(), counts=counts, error=STOPPED
                )
                raise
            except DailyPapersError as exc:
                error = exc.message
                log.error("%s ingest run %d failed: %s", source, run_id, error)
            except Exception as exc:
                error = _describe(exc)
                log.exception("%s ingest run %d failed", source, run_id)
        self.runs.finish(
            run_id, status=status, now=self.clock(), counts=counts, error=error, cursor=cursor
        )
        run = self.runs.get(run_id)
        assert run is not None
        return run

    def _write_page(
        self, run_id: int, source: str, owner: str, page: Page, counts: RunCounts
    ) -> None:
        # Fencing: no write unless this process still holds the source (checked again, in
        # the same transaction, when the cursor is stored).
        what = f"{source} ingest run {run_id}"
        renewed = self.retry.run(
            what, lambda: self.runs.renew(source, owner, now=self.clock(), lease_s=self._lease_s)
        )
        if not renewed:
            raise LeaseLost(f"another process took over the {source} ingest")
        part = RunCounts(pages=1, fetched=page.received)
        for error in page.errors:
            log.warning("skipped %s", error)
            part.skip(error.reason, str(error))
        seen: set[str] = set()
        for record in page.records:
            if record.paper.arxiv_id in seen:
                part.skip(
                    "the same paper twice on one page (merged into one)",
                    f"{page.label}: {record.paper.arxiv_id} appears twice (merged into one)",
                )
            seen.add(record.paper.arxiv_id)
        if page.records:
            written = self.retry.run(
                what, lambda: self.papers.upsert(page.records, now=self.clock())
            )
            part.inserted, part.updated = written.inserted, written.updated
            part.unchanged, part.entries_added = written.unchanged, written.entries_added
        if page.notice:
            log.warning("%s ingest: %s", source, page.notice)
            part.errors.append(f"notice: {page.notice}")
        counts.add(part)
        self.retry.run(
            what,
            lambda: self.runs.record_page(
                run_id,
                cursor=page.cursor or None,
                counts=counts,
                versions=page.versions,
                now=self.clock(),
                lease=(source, owner, self._lease_s),
            ),
        )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
