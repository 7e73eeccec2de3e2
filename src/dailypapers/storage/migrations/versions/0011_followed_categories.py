"""Followed arXiv categories (For you), and the signed 👍/👎 links of digest mails.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "category_follows",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_category_follows_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "category", name="pk_category_follows"),
    )
    op.create_table(
        "feedback_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("verdict", sa.SmallInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime),
        sa.CheckConstraint("verdict IN (-1, 1)", name="ck_feedback_links_verdict"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_feedback_links_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["arxiv_id"],
            ["papers.arxiv_id"],
            name="fk_feedback_links_arxiv_id_papers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_feedback_links"),
    )
    op.create_index("ix_feedback_links_user_id", "feedback_links", ["user_id"])
    op.create_index("ix_feedback_links_expires_at", "feedback_links", ["expires_at"])


def downgrade() -> None:
    op.drop_table("feedback_links")
    op.drop_table("category_follows")
