"""Computed keyphrases: one row per paper that came without Hugging Face's `ai_keywords`.

Kept apart from `papers.ai_keywords` on purpose: that column is HF's own data (the HF API
returns it verbatim), these are ours (search/keyphrases.py, from the paper's text and its
vector). `text_hash` is the hash of the embedding they were computed from: when the paper's
text changes, its embedding's hash changes and the keyphrases are computed again.
Migration 0012_keyphrases creates the table.
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.storage.tables import UtcDateTime, metadata

paper_keyphrases = sa.Table(
    "paper_keyphrases",
    metadata,
    sa.Column(
        "arxiv_id",
        sa.String(64),
        sa.ForeignKey("papers.arxiv_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("phrases", sa.JSON, nullable=False),  # list of strings, best first
    sa.Column("computed_at", UtcDateTime, nullable=False),
)
