"""Running queued jobs in any number of worker processes, each job once, retried if its worker died.

Producers enqueue idempotent jobs keyed by what they cover (`JobStore.enqueue`: a second
enqueue of the same key adds nothing). The scheduler's `jobs` task, in every `serve` or
`worker` process that runs the scheduler, claims queued jobs one at a time (SKIP LOCKED on
PostgreSQL, the single writer on SQLite; storage/jobs.py), runs the kind's handler while a
heartbeat thread renews the lease every third of `job_lease_s`, and marks the job done. A
handler that raises gives the job back to the queue; a worker killed mid-job leaves it
'running' until the lease expires, and then another worker claims it (`job_max_attempts`
claims at most). Handlers must be idempotent (upserts): a job may run twice.

Kinds today: `embed` (a batch of paper ids to embed) and `keyphrases` (a batch of embedded
papers to compute keyphrases for), both queued by the scheduler's `index` task
(services/wiring/background.py); `user_model` (a reader whose history changed: refit their
For-you model), queued by its `user_models` task.
Ingest sources and digest periods keep their own leases and exactly-once claims
(storage/ingest_runs.py, storage/deliveries.py), which already give each of them one runner.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime

from dailypapers.config import JobSettings
from dailypapers.storage.jobs import ClaimedJob, JobStore

log = logging.getLogger(__name__)

Handler = Callable[[dict, threading.Event], object]


class JobRunner:
    def __init__(self, settings: JobSettings, store: JobStore, clock: Callable[[], datetime]):
        self.settings = settings
        self.store = store
        self.clock = clock
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        if kind in self._handlers:
            raise ValueError(f"a handler for {kind!r} jobs is already registered")
        self._handlers[kind] = handler

    def enqueue(self, kind: str, key: str, payload: dict) -> bool:
        return self.store.enqueue(kind, key, payload, now=self.clock())

    def run_pending(self, stop: threading.Event, *, limit: int | None = None) -> int:
        """Claim and run jobs until none is left, `stop` is set, `limit` ran or one failed
        (a failure ends the pass, so a broken handler costs one attempt per tick)."""
        limit = limit or self.settings.jobs_per_tick
        ran = 0
        while ran < limit and not stop.is_set():
            outcome = self.run_one(stop)
            if outcome is None:
                break
            ran += 1
            if not outcome:
                break
        return ran

    def run_one(self, stop: threading.Event) -> bool | None:
        """Run one claimed job: True when it finished, False when it failed, None when there
        was nothing to claim."""
        job = self.store.claim(
            list(self._handlers),
            self.owner,
            now=self.clock(),
            lease_s=self.settings.job_lease_s,
            max_attempts=self.settings.job_max_attempts,
        )
        if job is None:
            return None
        if job.attempts > 1:
            log.warning("job %d (%s %s): attempt %d", job.id, job.kind, job.key, job.attempts)
        with _LeaseKeeper(self.store, job, self.settings.job_lease_s, self.clock):
            try:
                self._handlers[job.kind](job.payload, stop)
            except Exception as exc:
                log.exception("job %d (%s %s) failed", job.id, job.kind, job.key)
                self.store.give_back(job, error=f"{type(exc).__name__}: {exc}")
                return False
        if not self.store.finish(job, now=self.clock()):
            log.warning("job %d finished after its lease was taken over", job.id)
        return True


class _LeaseKeeper:
    """Renews a job's lease every third of the lease while its handler runs."""

    def __init__(self, store: JobStore, job: ClaimedJob, lease_s: float, clock) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(store, job, lease_s, clock), daemon=True
        )

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self, store: JobStore, job: ClaimedJob, lease_s: float, clock) -> None:
        while not self._stop.wait(lease_s / 3):
            try:
                if not store.renew(job, now=clock(), lease_s=lease_s):
                    log.warning("job %d: lease lost to another worker", job.id)
                    return
            except Exception:  # a busy or restarting database: the lease has slack
                log.warning("renewing job %d's lease failed", job.id, exc_info=True)
