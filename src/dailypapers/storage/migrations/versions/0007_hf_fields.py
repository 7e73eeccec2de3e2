"""Hugging Face's own fields, kept verbatim: `papers.hf_fields`, `daily_entries.hf_item`.

The HF-shaped API sends back what an HF import gave (author and submitter objects with their
`_id`s, `discussionId`, organisation objects, media, precise timestamps) instead of a
reconstruction. JSON, nullable: papers from other sources have none.

Revision ID: 0007_hf_fields
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_hf_fields"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("papers", sa.Column("hf_fields", sa.JSON))
    op.add_column("daily_entries", sa.Column("hf_item", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("daily_entries") as batch:
        batch.drop_column("hf_item")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("hf_fields")
