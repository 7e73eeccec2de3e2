"""Email digests: subscriptions, their hashed tokens, deliveries (exactly once) and items sent.

Tables are described in storage/digest_tables.py. A branch off 0001: it needs only the core.

Revision ID: 0004_digests
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_digests"
down_revision = "0001"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("send_hour", sa.Integer, nullable=False),
        sa.Column("send_weekday", sa.Integer, nullable=False, server_default="0"),
        sa.Column("include_trending", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("queries", sa.JSON, nullable=False),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("bounce_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("confirm_sent_at", UtcDateTime),
        sa.Column("confirmed_at", UtcDateTime),
        sa.Column("schedule_from", UtcDateTime),
        sa.Column("unsubscribed_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("email", name="uq_subscriptions_email"),
    )
    op.create_index("ix_subscriptions_user_id", "subscriptions", ["user_id"])
    op.create_index("ix_subscriptions_status", "subscriptions", ["status"])

    op.create_table(
        "subscription_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime),
        sa.PrimaryKeyConstraint("token_hash", name="pk_subscription_tokens"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_subscription_tokens_subscription_id_subscriptions",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_subscription_tokens_subscription_id", "subscription_tokens", ["subscription_id"]
    )

    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("not_before", UtcDateTime, nullable=False),
        sa.Column("claimer", sa.String(80)),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("item_count", sa.Integer),
        sa.Column("smtp_reply", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("sending_at", UtcDateTime),
        sa.Column("finished_at", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_digest_deliveries"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_digest_deliveries_subscription_id_subscriptions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "subscription_id", "period", name="uq_digest_deliveries_subscription_id_period"
        ),
    )
    op.create_index(
        "ix_digest_deliveries_state_not_before", "digest_deliveries", ["state", "not_before"]
    )
    op.create_index("ix_digest_deliveries_period_state", "digest_deliveries", ["period", "state"])

    op.create_table(
        "digest_items",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("delivery_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digest_items"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_digest_items_subscription_id_subscriptions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["digest_deliveries.id"],
            name="fk_digest_items_delivery_id_digest_deliveries",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "subscription_id", "arxiv_id", name="uq_digest_items_subscription_id_arxiv_id"
        ),
    )
    op.create_index("ix_digest_items_delivery_id", "digest_items", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("digest_items")
    op.drop_table("digest_deliveries")
    op.drop_table("subscription_tokens")
    op.drop_table("subscriptions")
