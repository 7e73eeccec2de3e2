"""Tables of live ingest: recorded runs, per-source leases, and every known paper version.

- `ingest_runs`: one row per run (a CLI command, a scheduled run, a file import): its window,
  its cursor (the next arXiv `start`, OAI-PMH resumption token or HF day, stored after each
  page is written), counts, status, error, and a heartbeat.
- `ingest_locks`: one row per source; a process may run that source only while it holds the
  row's lease (`owner`, `expires_at`). Claimed by one conditional upsert, so exactly one of
  any number of processes wins, on SQLite and PostgreSQL alike; a crashed holder's lease
  simply expires.
- `paper_versions`: (paper, version) -> when it was submitted, as far as a source tells.
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.storage.tables import UtcDateTime, metadata

ingest_runs = sa.Table(
    "ingest_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("triggered_by", sa.String(16), nullable=False),
    sa.Column("since", sa.Date),
    sa.Column("until", sa.Date),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("cursor", sa.Text),
    sa.Column("resumed_from", sa.Integer),
    sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
    sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("entries_added", sa.Integer, nullable=False, server_default="0"),
    sa.Column("versions_added", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skip_reasons", sa.JSON, nullable=False),
    sa.Column("errors", sa.JSON, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("owner", sa.String(200)),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("heartbeat_at", UtcDateTime),
    sa.Index("ix_ingest_runs_source_started_at", "source", "started_at"),
    sa.Index("ix_ingest_runs_status", "status"),
)

ingest_locks = sa.Table(
    "ingest_locks",
    metadata,
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(200)),
    sa.Column("run_id", sa.Integer),
    sa.Column("claimed_at", UtcDateTime),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

paper_versions = sa.Table(
    "paper_versions",
    metadata,
    sa.Column(
        "arxiv_id",
        sa.String(64),
        sa.ForeignKey("papers.arxiv_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("submitted_at", UtcDateTime),
)
