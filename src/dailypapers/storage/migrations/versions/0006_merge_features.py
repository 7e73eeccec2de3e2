"""Join the feature branches (search, ingest, digests, community) into one head.

They were written side by side, each off 0001; from here on the history is a single line
again, so the next migration names 0006 as its parent.

Revision ID: 0006
Revises: 0002, 0003_ingest, 0004_digests, 0005_community
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0006"
down_revision = ("0002", "0003_ingest", "0004_digests", "0005_community")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
