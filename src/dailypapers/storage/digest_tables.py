"""Tables of email digests: subscriptions, their tokens, deliveries and what each one sent.

- `subscriptions`: one row per email address (anonymous; `user_id` is for accounts, later,
  deliberately without a foreign key until the users table exists).
- `subscription_tokens`: confirm / manage / unsubscribe tokens, only as SHA-256 hashes.
  Each digest carries fresh manage and unsubscribe tokens; old links keep working.
- `digest_deliveries`: one row per (subscription, period), unique: the exactly-once key.
  `state` goes pending -> claimed (claimer + lease) -> sending -> sent | failed | skipped
  | uncertain | cancelled; see services/digests.py for the protocol.
- `digest_items`: every paper ever sent to a subscription, unique per (subscription, base
  arXiv id): the "never the same paper twice" record.
- `feedback_links`: the 👍/👎 links of a digest's "For you" papers, only as SHA-256 hashes
  of their random tokens, each bound to one user, one paper and one verdict, usable once
  until it expires (`digest_feedback_link_days`). Stored with the digest's papers at its
  point of no return, so only links that were mailed exist.

Migrations: storage/migrations/versions/0004_digests.py, 0011_followed_categories.py
(`feedback_links`).
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.storage.tables import UtcDateTime, metadata

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
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
)

subscription_tokens = sa.Table(
    "subscription_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("purpose", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime),
)

digest_deliveries = sa.Table(
    "digest_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("due_at", UtcDateTime, nullable=False),  # the slot: content is "as of" this
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("not_before", UtcDateTime, nullable=False),  # wall clock: retries wait for it
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
    sa.UniqueConstraint(
        "subscription_id", "period", name="uq_digest_deliveries_subscription_id_period"
    ),
    sa.Index("ix_digest_deliveries_state_not_before", "state", "not_before"),
    sa.Index("ix_digest_deliveries_period_state", "period", "state"),
)

digest_items = sa.Table(
    "digest_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("arxiv_id", sa.String(64), nullable=False),  # base id, no version
    sa.Column(
        "delivery_id",
        sa.Integer,
        sa.ForeignKey("digest_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.UniqueConstraint(
        "subscription_id", "arxiv_id", name="uq_digest_items_subscription_id_arxiv_id"
    ),
)

feedback_links = sa.Table(
    "feedback_links",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "arxiv_id",
        sa.String(64),
        sa.ForeignKey("papers.arxiv_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("verdict", sa.SmallInteger, nullable=False),  # +1 👍, -1 👎
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False, index=True),
    sa.Column("used_at", UtcDateTime),
    sa.CheckConstraint("verdict IN (-1, 1)", name="verdict"),
)
