"""Computed keyphrases for papers without Hugging Face's `ai_keywords` (issue 12).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)
_EVENTS = ("INSERT", "UPDATE", "DELETE")
_BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "paper_keyphrases",
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("phrases", sa.JSON, nullable=False),
        sa.Column("computed_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["arxiv_id"],
            ["papers.arxiv_id"],
            name="fk_paper_keyphrases_arxiv_id_papers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("arxiv_id", name="pk_paper_keyphrases"),
    )
    # The paper page shows the keyphrases, so writing them bumps the data version like
    # every other visible write (migration 0008): a cached page never shows stale ones.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER paper_keyphrases_bump_data_version AFTER INSERT OR UPDATE OR DELETE "
            "ON paper_keyphrases FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
        )
        return
    for event in _EVENTS:
        op.execute(
            f"CREATE TRIGGER paper_keyphrases_{event.lower()}_bump_data_version AFTER {event} "
            f"ON paper_keyphrases BEGIN {_BUMP}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS paper_keyphrases_bump_data_version ON paper_keyphrases")
    else:
        for event in _EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS paper_keyphrases_{event.lower()}_bump_data_version")
    op.drop_table("paper_keyphrases")
