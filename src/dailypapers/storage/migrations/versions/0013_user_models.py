"""Stored per-reader For-you models, refreshed by a job when the history changes (issue 12).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_models",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("history_key", sa.String(64), nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("bias", sa.Float, nullable=False),
        sa.Column("fitted_at", UtcDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_models_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_models"),
    )


def downgrade() -> None:
    op.drop_table("user_models")
