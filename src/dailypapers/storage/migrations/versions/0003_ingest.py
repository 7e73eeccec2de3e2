"""Live ingest: recorded runs, per-source leases, paper versions.

Revision ID: 0003_ingest
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_ingest"
down_revision = "0001"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
    )
    op.create_index("ix_ingest_runs_source_started_at", "ingest_runs", ["source", "started_at"])
    op.create_index("ix_ingest_runs_status", "ingest_runs", ["status"])
    op.create_table(
        "ingest_locks",
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("run_id", sa.Integer),
        sa.Column("claimed_at", UtcDateTime),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_ingest_locks"),
    )
    op.create_table(
        "paper_versions",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("submitted_at", UtcDateTime),
        sa.PrimaryKeyConstraint("arxiv_id", "version", name="pk_paper_versions"),
        sa.ForeignKeyConstraint(
            ["arxiv_id"],
            ["papers.arxiv_id"],
            name="fk_paper_versions_arxiv_id_papers",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("paper_versions")
    op.drop_table("ingest_locks")
    op.drop_index("ix_ingest_runs_status", table_name="ingest_runs")
    op.drop_index("ix_ingest_runs_source_started_at", table_name="ingest_runs")
    op.drop_table("ingest_runs")
