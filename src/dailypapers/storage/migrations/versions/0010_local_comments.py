"""Comments counted on the paper, like upvotes: `papers.local_comments` (issue 10 item 6).

Cards and the API's `numComments` show Hugging Face's count plus ours, the way upvotes are
`external_upvotes + local_upvotes`. The comment store recounts a paper's visible comments
(not deleted, not hidden) after each write that can change them; this fills the column for
comments written before it existed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.add_column(
            sa.Column("local_comments", sa.Integer, nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE papers SET local_comments = (SELECT count(*) FROM comments "
        "WHERE comments.arxiv_id = papers.arxiv_id AND comments.deleted_at IS NULL "
        "AND comments.hidden = false) "
        "WHERE arxiv_id IN (SELECT arxiv_id FROM comments)"
    )


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("local_comments")
