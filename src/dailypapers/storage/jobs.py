"""The one place that knows SQL for the job queue: enqueue, claim, renew, finish.

Claiming is `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL: any number of workers each take
a different job without waiting on each other. On SQLite the claim runs in the single writer's
`BEGIN IMMEDIATE` transaction, which serialises claimants across processes just as well.

A claimed job holds a lease (`lease_expires_at`); its worker renews it while working and
finishes it with its owner name as a fence (a worker whose lease expired and was taken over
cannot mark the job done). A job left 'running' with an expired lease (its worker died) is
claimable again; each claim counts an attempt, and a job past `max_attempts` is marked
failed instead of run again. Jobs are idempotent by construction: `(kind, key)` is unique,
and handlers write with upserts, so running one twice leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.storage.database import Database
from dailypapers.storage.operations_tables import jobs
from dailypapers.storage.tables import as_utc


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    key: str
    payload: dict
    attempts: int
    owner: str


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _insert(self):
        return postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert

    def enqueue(self, kind: str, key: str, payload: dict, *, now: datetime) -> bool:
        """Add a job unless one with this (kind, key) exists. True when it was added."""
        stmt = (
            self._insert()(jobs)
            .values(kind=kind, key=key, payload=payload, status="queued", created_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(jobs.c.id)
        )
        with self.db.write() as conn:
            return conn.execute(stmt).first() is not None

    def claim(
        self,
        kinds: Sequence[str],
        owner: str,
        *,
        now: datetime,
        lease_s: float,
        max_attempts: int,
    ) -> ClaimedJob | None:
        """Take the oldest queued (or abandoned) job of `kinds`; None when there is none."""
        claimable = sa.and_(
            jobs.c.kind.in_(list(kinds)),
            sa.or_(
                jobs.c.status == "queued",
                sa.and_(jobs.c.status == "running", jobs.c.lease_expires_at < now),
            ),
        )
        query = sa.select(jobs).where(claimable).order_by(jobs.c.id).limit(1)
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        with self.db.write() as conn:
            while True:
                row = conn.execute(query).first()
                if row is None:
                    return None
                attempts = row.attempts + 1
                if attempts > max_attempts:  # it keeps killing its workers: stop trying
                    conn.execute(
                        jobs.update()
                        .where(jobs.c.id == row.id)
                        .values(
                            status="failed",
                            owner=None,
                            finished_at=now,
                            error=row.error or f"gave up after {row.attempts} attempts",
                        )
                    )
                    continue
                conn.execute(
                    jobs.update()
                    .where(jobs.c.id == row.id)
                    .values(
                        status="running",
                        owner=owner,
                        attempts=attempts,
                        started_at=now,
                        lease_expires_at=now + timedelta(seconds=lease_s),
                    )
                )
                return ClaimedJob(row.id, row.kind, row.key, dict(row.payload), attempts, owner)

    def renew(self, job: ClaimedJob, *, now: datetime, lease_s: float) -> bool:
        """Extend the lease; False when this worker no longer holds the job."""
        return self._update_held(job, lease_expires_at=now + timedelta(seconds=lease_s))

    def finish(self, job: ClaimedJob, *, now: datetime) -> bool:
        return self._update_held(
            job, status="done", owner=None, lease_expires_at=None, finished_at=now, error=None
        )

    def give_back(self, job: ClaimedJob, *, error: str) -> bool:
        """The handler failed: queue the job again (the attempt is counted) with the error."""
        return self._update_held(
            job, status="queued", owner=None, lease_expires_at=None, error=error
        )

    def _update_held(self, job: ClaimedJob, **values: object) -> bool:
        stmt = (
            jobs.update()
            .where(jobs.c.id == job.id, jobs.c.owner == job.owner, jobs.c.status == "running")
            .values(**values)
        )
        with self.db.write() as conn:
            return conn.execute(stmt).rowcount == 1

    def open_count(self, kind: str) -> int:
        """Jobs of `kind` still to do (queued or running)."""
        query = sa.select(sa.func.count()).where(
            jobs.c.kind == kind, jobs.c.status.in_(["queued", "running"])
        )
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def counts(self) -> dict[tuple[str, str], int]:
        """(kind, status) -> number of jobs, for /metrics."""
        query = sa.select(jobs.c.kind, jobs.c.status, sa.func.count()).group_by(
            jobs.c.kind, jobs.c.status
        )
        with self.db.read() as conn:
            return {(kind, status): int(n) for kind, status, n in conn.execute(query)}

    def oldest_queued_at(self) -> datetime | None:
        query = sa.select(sa.func.min(jobs.c.created_at)).where(jobs.c.status == "queued")
        with self.db.read() as conn:
            return as_utc(conn.execute(query).scalar_one_or_none())

    def get(self, job_id: int) -> dict | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
        return dict(row._mapping) if row is not None else None
