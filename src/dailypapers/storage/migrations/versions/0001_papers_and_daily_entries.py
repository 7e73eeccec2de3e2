"""Papers and the days they are featured on.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("primary_category", sa.String(64)),
        sa.Column("published_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime),
        sa.Column("comment", sa.Text),
        sa.Column("doi", sa.Text),
        sa.Column("journal_ref", sa.Text),
        sa.Column("github_repo", sa.Text),
        sa.Column("github_stars", sa.Integer),
        sa.Column("project_page", sa.Text),
        sa.Column("organization", sa.Text),
        sa.Column("thumbnail", sa.Text),
        sa.Column("ai_summary", sa.Text),
        sa.Column("ai_keywords", sa.JSON),
        sa.Column("external_upvotes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("external_comments", sa.Integer, nullable=False, server_default="0"),
        sa.Column("local_upvotes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("modified_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("arxiv_id", name="pk_papers"),
    )
    op.create_index("ix_papers_primary_category", "papers", ["primary_category"])
    op.create_index("ix_papers_published_at", "papers", ["published_at"])
    op.create_table(
        "daily_entries",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("submitted_by", sa.Text),
        sa.Column("submitted_at", UtcDateTime),
        sa.Column("position", sa.Integer),
        sa.Column("upvotes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("published_at", UtcDateTime),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_daily_entries"),
        sa.ForeignKeyConstraint(
            ["arxiv_id"],
            ["papers.arxiv_id"],
            name="fk_daily_entries_arxiv_id_papers",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("day", "arxiv_id", name="uq_daily_entries_day_arxiv_id"),
    )
    op.create_index("ix_daily_entries_arxiv_id", "daily_entries", ["arxiv_id"])
    op.create_index("ix_daily_entries_submitted_by", "daily_entries", ["submitted_by"])
    op.create_index(
        "ix_daily_entries_day_rank",
        "daily_entries",
        ["day", "hidden", "upvotes", "published_at", "arxiv_id"],
    )
    op.create_index(
        "ix_daily_entries_day_published", "daily_entries", ["day", "hidden", "published_at"]
    )


def downgrade() -> None:
    op.drop_table("daily_entries")
    op.drop_table("papers")
