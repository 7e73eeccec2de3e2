"""Tables of running many processes: the job queue and the data version.

- `jobs`: work any worker process may do (embedding batches today), claimed one at a time
  under a lease (`owner`, `lease_expires_at`). `(kind, key)` is unique, so enqueueing the same
  piece of work twice adds nothing; a job whose worker died is claimed again once its lease
  has expired, at most `job_max_attempts` times. storage/jobs.py owns the SQL.
- `data_version`: one row whose `version` every write that changes what a visitor can see
  bumps in the same transaction (triggers on papers, daily entries, votes, comments,
  collections, users and embeddings, created by migration 0008). The page cache keys pages on
  it, so a vote or an import makes every cached page stale at once. storage/data_version.py.
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.storage.tables import UtcDateTime, metadata

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # queued | running | done | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("owner", sa.String(200)),
    sa.Column("lease_expires_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
    sa.Index("ix_jobs_status_kind", "status", "kind"),
)

data_version = sa.Table(
    "data_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
)
