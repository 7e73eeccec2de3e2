"""Recommendations: explicit 👍/👎 on papers, and followed authors.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "paper_feedback",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("verdict", sa.SmallInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("verdict IN (-1, 1)", name="ck_paper_feedback_verdict"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_paper_feedback_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["arxiv_id"],
            ["papers.arxiv_id"],
            name="fk_paper_feedback_arxiv_id_papers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "arxiv_id", name="pk_paper_feedback"),
    )
    op.create_table(
        "author_follows",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("author_key", sa.String(300), nullable=False),
        sa.Column("author", sa.String(300), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_author_follows_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "author_key", name="pk_author_follows"),
    )


def downgrade() -> None:
    op.drop_table("author_follows")
    op.drop_table("paper_feedback")
