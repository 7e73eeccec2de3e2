"""The hidden papers in an index of their own (`ix_papers_hidden`, a partial index).

A hybrid search on SQLite takes its nearest papers from the vectors in memory and must leave
hidden ones out. It asked the papers table which of its ~110 nearest were visible: an IN list
of 110 parameters, expanded and bound on every search, ~2 ms of a distinct search's ~36 ms of
CPU (74.7k papers, all with vectors; docs/scale-out.md). Hidden papers are few, so the
search now reads all of them from this index (a handful of rows, no parameters) and drops
those.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    hidden = sa.column("hidden", sa.Boolean) == sa.true()
    op.create_index(
        "ix_papers_hidden",
        "papers",
        ["arxiv_id"],
        sqlite_where=hidden,
        postgresql_where=hidden,
    )


def downgrade() -> None:
    op.drop_index("ix_papers_hidden", table_name="papers")
