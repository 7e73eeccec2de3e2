"""Many processes: a job queue (leases, SKIP LOCKED) and a data version the page cache keys on.

Triggers bump `data_version.version` in the same transaction as every write to a table whose
rows visitors see, so a cached page can never be served under a version that predates a
committed write. PostgreSQL bumps once per statement (a 500-row import batch costs one
update); SQLite has only row triggers, so it bumps per row (one in-page update each).

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007_hf_fields"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)

# Tables whose rows show on public pages or in their JSON twins.
VERSIONED_TABLES = (
    "papers",
    "daily_entries",
    "votes",
    "comments",
    "collections",
    "collection_items",
    "users",
    "embeddings",
)
_EVENTS = ("INSERT", "UPDATE", "DELETE")
_BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("owner", sa.String(200)),
        sa.Column("lease_expires_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("started_at", UtcDateTime),
        sa.Column("finished_at", UtcDateTime),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
    )
    op.create_index("ix_jobs_status_kind", "jobs", ["status", "kind"])
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_data_version"),
    )
    op.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
        for table in VERSIONED_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bump_data_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
            )
        return
    for table in VERSIONED_TABLES:
        for event in _EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_bump_data_version AFTER {event} "
                f"ON {table} BEGIN {_BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in VERSIONED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_data_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
    else:
        for table in VERSIONED_TABLES:
            for event in _EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_bump_data_version")
    op.drop_table("data_version")
    op.drop_index("ix_jobs_status_kind", table_name="jobs")
    op.drop_table("jobs")
