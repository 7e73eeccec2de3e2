"""A small in-process scheduler for periodic jobs (daily ingest; digests register theirs).

A job is (name, next_run, run): `next_run(now)` says when the job is due next, and the
scheduler calls `run(stop)` on a tick at or after that time; `stop` is an Event set when the
process is shutting down, which long jobs check to end early (and resume next time). The
scheduler keeps no state of its own: `next_run` reads the database (e.g. "did a scheduled run
start since today's 06:00?"), so any number of processes may tick the same jobs and a
restarted process picks up where the others are. Jobs that must not overlap across processes
guard themselves (ingest claims a lease per source).

- `dailypapers serve` runs it in a background thread: `services.scheduler.start()` when the app
  starts, `services.scheduler.stop()` when it stops (when `serve_runs_scheduler` is on).
- `dailypapers worker` runs `run_forever()` in its main thread; SIGTERM calls `request_stop()`.
- Tests call `tick()` with a fixed clock: one deterministic pass over the jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dailypapers.services.clock import Clock

log = logging.getLogger(__name__)

NextRun = Callable[[datetime], datetime]
JobRun = Callable[[threading.Event], object]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    next_run: NextRun
    run: JobRun


class Scheduler:
    def __init__(self, clock: Clock, *, tick_s: float = 30) -> None:
        self.clock = clock
        self.tick_s = tick_s
        self._jobs: dict[str, Job] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, name: str, next_run: NextRun, run: JobRun) -> None:
        if name in self._jobs:
            raise ValueError(f"a job named {name!r} is already registered")
        self._jobs[name] = Job(name, next_run, run)

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    @property
    def stopping(self) -> threading.Event:
        return self._stop

    def due(self, now: datetime | None = None) -> list[Job]:
        now = now or self.clock()
        found = []
        for job in self._jobs.values():
            try:
                if job.next_run(now) <= now:
                    found.append(job)
            except Exception:
                log.exception("job %s: could not tell when it is due", job.name)
        return found

    def tick(self) -> list[str]:
        """Run every job that is due now, one after another; return their names.

        A job that raises is logged and does not stop the others.
        """
        ran = []
        for job in self.due(self.clock()):
            if self._stop.is_set():
                break
            log.info("running scheduled job %s", job.name)
            try:
                job.run(self._stop)
            except Exception:
                log.exception("scheduled job %s failed", job.name)
            ran.append(job.name)
        return ran

    def run_forever(self) -> None:
        """Tick every `tick_s` seconds until `request_stop()`."""
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # never let the loop die: the next tick tries again
                log.exception("scheduler tick failed")
            self._stop.wait(self.tick_s)

    def start(self) -> None:
        """Run the loop in a daemon thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run_forever, name="dailypapers-scheduler", daemon=True
        )
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self, timeout: float = 30) -> None:
        """Ask the loop and the running job to stop, and wait up to `timeout` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the scheduler's job did not stop within %.0f s", timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
