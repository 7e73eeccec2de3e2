"""Recommendation tables: a reader's explicit 👍/👎 on papers, the authors and the arXiv
categories they follow.

Everything else the recommender learns from (upvotes, collections, submissions) already has
its own table; these hold only what exists for recommendations. One row per (user, paper)
and per (user, author): a second 👍 or follow changes nothing, a 👎 replaces a 👍.
Migration 0009_recommendations creates the first two, 0011_followed_categories the third,
0013_user_models the stored models.
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.storage.tables import UtcDateTime, metadata

paper_feedback = sa.Table(
    "paper_feedback",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "arxiv_id",
        sa.String(64),
        sa.ForeignKey("papers.arxiv_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("verdict", sa.SmallInteger, nullable=False),  # +1 👍, -1 👎
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("verdict IN (-1, 1)", name="verdict"),
)

author_follows = sa.Table(
    "author_follows",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("author_key", sa.String(300), primary_key=True),  # casefolded, spaces collapsed
    sa.Column("author", sa.String(300), nullable=False),  # as first followed
    sa.Column("created_at", UtcDateTime, nullable=False),
)

category_follows = sa.Table(
    "category_follows",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("category", sa.String(32), primary_key=True),  # as arXiv writes it: cs.CL
    sa.Column("created_at", UtcDateTime, nullable=False),
)
# A reader's fitted model (services/recommendations.py): stored so a page load scores with
# it instead of refitting. `history_key` hashes what it was fitted from (the history, the 👎
# papers, the window, the parameters and the embedding model); a different key is stale.
# Migration 0013_user_models creates it.
user_models = sa.Table(
    "user_models",
    metadata,
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("history_key", sa.String(64), nullable=False),
    sa.Column("weights", sa.LargeBinary, nullable=False),  # float32 [dim], little-endian
    sa.Column("bias", sa.Float, nullable=False),
    sa.Column("fitted_at", UtcDateTime, nullable=False),
)
