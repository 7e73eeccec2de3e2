"""The one place that knows SQL for ingest runs, source leases and paper versions.

Leases: `claim` is a single `INSERT ... ON CONFLICT (source) DO UPDATE ... WHERE <expired or
free> RETURNING owner`. On SQLite the write is serialised (`BEGIN IMMEDIATE`); on PostgreSQL
a concurrent claim waits for the first one's row lock and then sees an unexpired lease, so
its update does nothing. Either way exactly one claimant gets a row back. Every page a run
writes renews its lease in the same transaction that stores the cursor, and fails with
`LeaseLost` if another process took the source over meanwhile (fencing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row

from dailypapers.domain.ingest import (
    RUN_COUNT_FIELDS,
    IngestRun,
    PaperVersion,
    RunCounts,
    Trigger,
)
from dailypapers.errors import Conflict
from dailypapers.storage.database import Database
from dailypapers.storage.ingest_tables import ingest_locks, ingest_runs, paper_versions
from dailypapers.storage.tables import as_utc


class LeaseLost(Conflict):
    """This process no longer holds the source's lease: another one took it over."""


@dataclass(frozen=True, slots=True)
class Lease:
    source: str
    owner: str | None
    run_id: int | None
    claimed_at: datetime | None
    expires_at: datetime


def _run_from_row(row: Row) -> IngestRun:
    m = row._mapping
    counts = RunCounts(
        **{name: m[name] for name in RUN_COUNT_FIELDS},
        reasons=Counter(m["skip_reasons"] or {}),
        errors=list(m["errors"] or []),
    )
    return IngestRun(
        id=m["id"],
        source=m["source"],
        status=m["status"],
        trigger=m["triggered_by"],
        since=m["since"],
        until=m["until"],
        params=dict(m["params"] or {}),
        cursor=m["cursor"],
        counts=counts,
        error=m["error"],
        owner=m["owner"],
        started_at=as_utc(m["started_at"]),
        finished_at=as_utc(m["finished_at"]),
        heartbeat_at=as_utc(m["heartbeat_at"]),
        resumed_from=m["resumed_from"],
    )


def _count_values(counts: RunCounts) -> dict:
    values = {name: getattr(counts, name) for name in RUN_COUNT_FIELDS}
    values["skip_reasons"] = dict(counts.reasons)
    values["errors"] = list(counts.errors)
    return values


class IngestRunStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _insert(self):
        return postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert

    # --- leases --------------------------------------------------------------------------
    def claim(self, source: str, owner: str, *, now: datetime, lease_s: float) -> bool:
        """Take the source's lease if it is free or expired. True for exactly one claimant."""
        expires = now + timedelta(seconds=lease_s)
        stmt = (
            self._insert()(ingest_locks)
            .values(source=source, owner=owner, run_id=None, claimed_at=now, expires_at=expires)
            .on_conflict_do_update(
                index_elements=["source"],
                set_={"owner": owner, "run_id": None, "claimed_at": now, "expires_at": expires},
                where=sa.or_(ingest_locks.c.owner.is_(None), ingest_locks.c.expires_at < now),
            )
            .returning(ingest_locks.c.owner)
        )
        with self.db.write() as conn:
            return conn.execute(stmt).first() is not None

    def renew(
        self,
        source: str,
        owner: str,
        *,
        now: datetime,
        lease_s: float,
        conn: Connection | None = None,
    ) -> bool:
        stmt = (
            ingest_locks.update()
            .where(ingest_locks.c.source == source, ingest_locks.c.owner == owner)
            .values(expires_at=now + timedelta(seconds=lease_s))
        )
        if conn is not None:
            return conn.execute(stmt).rowcount == 1
        with self.db.write() as own:
            return own.execute(stmt).rowcount == 1

    def release(self, source: str, owner: str, *, now: datetime) -> bool:
        with self.db.write() as conn:
            return (
                conn.execute(
                    ingest_locks.update()
                    .where(ingest_locks.c.source == source, ingest_locks.c.owner == owner)
                    .values(owner=None, run_id=None, expires_at=now)
                ).rowcount
                == 1
            )

    def lease(self, source: str) -> Lease | None:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(ingest_locks).where(ingest_locks.c.source == source)
            ).first()
        if row is None:
            return None
        return Lease(
            row.source, row.owner, row.run_id, as_utc(row.claimed_at), as_utc(row.expires_at)
        )

    # --- runs ----------------------------------------------------------------------------
    def start(
        self,
        *,
        source: str,
        trigger: Trigger,
        since: date | None,
        until: date | None,
        params: dict,
        cursor: str | None,
        resumed_from: int | None,
        owner: str,
        now: datetime,
        lock_source: str | None = None,
    ) -> int:
        """Record a new running run; with `lock_source`, also note it on that source's lease."""
        with self.db.write() as conn:
            run_id = conn.execute(
                ingest_runs.insert()
                .values(
                    source=source,
                    status="running",
                    triggered_by=trigger,
                    since=since,
                    until=until,
                    params=params,
                    cursor=cursor,
                    resumed_from=resumed_from,
                    skip_reasons={},
                    errors=[],
                    owner=owner,
                    started_at=now,
                    heartbeat_at=now,
                )
                .returning(ingest_runs.c.id)
            ).scalar_one()
            if lock_source:
                conn.execute(
                    ingest_locks.update()
                    .where(ingest_locks.c.source == lock_source, ingest_locks.c.owner == owner)
                    .values(run_id=run_id)
                )
        return run_id

    def abandon_running(self, source: str, *, now: datetime, reason: str) -> int:
        """Mark runs of `source` still 'running' as failed: their process is gone.

        Call only while holding the source's lease: no live run of it can exist then.
        """
        with self.db.write() as conn:
            return conn.execute(
                ingest_runs.update()
                .where(ingest_runs.c.source == source, ingest_runs.c.status == "running")
                .values(status="failed", error=reason, finished_at=now)
            ).rowcount

    def record_page(
        self,
        run_id: int,
        *,
        cursor: str | None,
        counts: RunCounts,
        versions: Sequence[PaperVersion],
        now: datetime,
        lease: tuple[str, str, float] | None = None,
    ) -> int:
        """After a page's papers are written: its versions, the run's counts and cursor.

        `lease` is (source, owner, lease_s): renewed here, in the same transaction, and
        `LeaseLost` (rolling it all back) if someone else holds it now. Returns how many
        versions were new.
        """
        with self.db.write() as conn:
            if lease is not None:
                source, owner, lease_s = lease
                if not self.renew(source, owner, now=now, lease_s=lease_s, conn=conn):
                    raise LeaseLost(f"another process took over the {source} ingest")
            added = self._add_versions(conn, versions)
            counts.versions_added += added
            conn.execute(
                ingest_runs.update()
                .where(ingest_runs.c.id == run_id)
                .values(cursor=cursor, heartbeat_at=now, **_count_values(counts))
            )
        return added

    def _add_versions(self, conn: Connection, versions: Sequence[PaperVersion]) -> int:
        rows = {
            (v.arxiv_id, v.version): {
                "arxiv_id": v.arxiv_id,
                "version": v.version,
                "submitted_at": v.submitted_at,
            }
            for v in versions
        }
        if not rows:
            return 0
        insert = self._insert()
        # A version already known keeps its row, but learns its date if it had none.
        stmt = insert(paper_versions).on_conflict_do_nothing(index_elements=["arxiv_id", "version"])
        added = 0
        values = list(rows.values())
        for start in range(0, len(values), 5000):
            chunk = values[start : start + 5000]
            added += len(conn.execute(stmt.returning(paper_versions.c.version), chunk).all())
        dated = [v for v in values if v["submitted_at"] is not None]
        if dated:
            conn.execute(
                paper_versions.update()
                .where(
                    paper_versions.c.arxiv_id == sa.bindparam("b_id"),
                    paper_versions.c.version == sa.bindparam("b_version"),
                    paper_versions.c.submitted_at.is_(None),
                )
                .values(submitted_at=sa.bindparam("b_at")),
                [
                    {"b_id": v["arxiv_id"], "b_version": v["version"], "b_at": v["submitted_at"]}
                    for v in dated
                ],
            )
        return added

    def heartbeat(self, run_id: int, *, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                ingest_runs.update().where(ingest_runs.c.id == run_id).values(heartbeat_at=now)
            )

    def finish(
        self,
        run_id: int,
        *,
        status: str,
        now: datetime,
        counts: RunCounts | None = None,
        error: str | None = None,
        cursor: str | None = None,
    ) -> None:
        values: dict = {"status": status, "finished_at": now, "heartbeat_at": now, "error": error}
        if counts is not None:
            values.update(_count_values(counts))
        if status == "succeeded":
            values["cursor"] = cursor
        with self.db.write() as conn:
            conn.execute(ingest_runs.update().where(ingest_runs.c.id == run_id).values(values))

    def get(self, run_id: int) -> IngestRun | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(ingest_runs).where(ingest_runs.c.id == run_id)).first()
        return _run_from_row(row) if row else None

    def recent(self, *, limit: int = 20, source: str | None = None) -> list[IngestRun]:
        query = sa.select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(limit)
        if source is not None:
            query = query.where(ingest_runs.c.source == source)
        with self.db.read() as conn:
            return [_run_from_row(r) for r in conn.execute(query)]

    def latest(self, source: str, *, status: str | None = None) -> IngestRun | None:
        query = (
            sa.select(ingest_runs)
            .where(ingest_runs.c.source == source)
            .order_by(ingest_runs.c.id.desc())
            .limit(1)
        )
        if status is not None:
            query = query.where(ingest_runs.c.status == status)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return _run_from_row(row) if row else None

    def last_started(self, source: str, *, trigger: Trigger) -> datetime | None:
        with self.db.read() as conn:
            value = conn.execute(
                sa.select(sa.func.max(ingest_runs.c.started_at)).where(
                    ingest_runs.c.source == source, ingest_runs.c.triggered_by == trigger
                )
            ).scalar()
        return as_utc(value)

    def versions(self, arxiv_id: str) -> list[PaperVersion]:
        query = (
            sa.select(paper_versions)
            .where(paper_versions.c.arxiv_id == arxiv_id)
            .order_by(paper_versions.c.version)
        )
        with self.db.read() as conn:
            return [
                PaperVersion(r.arxiv_id, r.version, as_utc(r.submitted_at))
                for r in conn.execute(query)
            ]
