"""Riding out a database outage in long batch jobs: retry the batch, bounded, and say so.

An import or an ingest run writes batch after batch; each batch is one transaction and an
upsert, so writing it again after a failure changes nothing that had been written. When a
batch's write fails with `DatabaseUnavailable` (PostgreSQL stopped or restarting, a SQLite
lock held past the busy timeout) the job waits `db_retry_delay_s`, doubling up to
`db_retry_max_delay_s`, and writes the same batch again, at most `db_retry_attempts` times;
each retry is logged as a warning and counted in the job's report. Past the limit the error
is raised as before. Requests are not retried here: they answer 503 with `Retry-After`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from dailypapers.config import StorageSettings
from dailypapers.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


class BatchRetry:
    """Runs one batch write, retrying it while the database is unavailable."""

    def __init__(
        self, settings: StorageSettings, *, wait: Callable[[float], object] = time.sleep
    ) -> None:
        self.attempts = settings.db_retry_attempts
        self.delay_s = settings.db_retry_delay_s
        self.max_delay_s = settings.db_retry_max_delay_s
        self.wait = wait

    def run(
        self,
        what: str,
        write: Callable[[], T],
        on_retry: Callable[[DatabaseUnavailable], None] | None = None,
    ) -> T:
        delay = self.delay_s
        for attempt in range(1, self.attempts + 2):
            try:
                return write()
            except DatabaseUnavailable as exc:
                if attempt > self.attempts:
                    log.error("%s: giving up after %d retries: %s", what, self.attempts, exc)
                    raise
                log.warning(
                    "%s: %s; retrying the batch in %.1f s (retry %d of %d)",
                    what,
                    exc.message,
                    delay,
                    attempt,
                    self.attempts,
                )
                if on_retry is not None:
                    on_retry(exc)
                self.wait(delay)
                delay = min(delay * 2, self.max_delay_s)
        raise AssertionError("unreachable")
