"""What an operator watches, gathered for `/metrics`: pools, jobs, backlogs, lags.

One read-only snapshot per scrape. It costs a handful of small queries (job counts by state,
the embedding backlog count, the newest successful run per ingest source); when the database
is away the snapshot says so (`database_up = 0`) instead of failing the scrape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dailypapers.domain.ingest import INGEST_SOURCES
from dailypapers.errors import DatabaseUnavailable, QueryTimeout
from dailypapers.services.embedding import EmbeddingService
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.ingest_runs import IngestRunStore
from dailypapers.storage.jobs import JobStore


@dataclass
class OperationsSnapshot:
    database_up: bool
    pools: dict[str, dict[str, int]]
    jobs: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest_queued_job_age_s: float | None = None
    embedding_backlog: int | None = None
    ingest_last_success_age_s: dict[str, float] = field(default_factory=dict)
    data_version: int | None = None


class OperationsService:
    def __init__(
        self,
        db: Database,
        jobs: JobStore,
        runs: IngestRunStore,
        embedding: EmbeddingService,
        versions: DataVersionStore,
        clock: Callable[[], datetime],
    ) -> None:
        self.db, self.jobs, self.runs, self.embedding = db, jobs, runs, embedding
        self.versions, self.clock = versions, clock

    def snapshot(self) -> OperationsSnapshot:
        snap = OperationsSnapshot(database_up=True, pools=self.db.pool_stats())
        now = self.clock()
        try:
            snap.jobs = self.jobs.counts()
            oldest = self.jobs.oldest_queued_at()
            if oldest is not None:
                snap.oldest_queued_job_age_s = max(0.0, (now - oldest).total_seconds())
            snap.embedding_backlog = self.embedding.status().pending
            for source in INGEST_SOURCES:
                run = self.runs.latest(source, status="succeeded")
                if run is not None and run.finished_at is not None:
                    age = (now - run.finished_at).total_seconds()
                    snap.ingest_last_success_age_s[source] = max(0.0, age)
            snap.data_version = self.versions.current()
        except (DatabaseUnavailable, QueryTimeout):
            snap.database_up = False
        return snap
