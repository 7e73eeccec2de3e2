"""The schema, as SQLAlchemy Core tables. One schema for SQLite and PostgreSQL.

Changes go through an Alembic migration in storage/migrations/versions; a test checks that
the migrated database matches these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UtcDateTime = sa.DateTime(timezone=True)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored UtcDateTime as an aware UTC datetime (SQLite hands them back naive)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


papers = sa.Table(
    "papers",
    metadata,
    sa.Column("arxiv_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("abstract", sa.Text, nullable=False),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("primary_category", sa.String(64), index=True),
    sa.Column("published_at", UtcDateTime, index=True),
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
    sa.Column("hf_fields", sa.JSON),  # HF's own paper fields, verbatim (domain/papers.py)
    sa.Column("local_upvotes", sa.Integer, nullable=False, server_default="0"),
    # visible comments here (not deleted, not hidden); the comment store recounts it
    sa.Column("local_comments", sa.Integer, nullable=False, server_default="0"),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("modified_at", UtcDateTime, nullable=False),
)
# The few hidden papers, apart: a search's in-memory vectors leave them out of their nearest
# without asking about each (storage/keyword_index.py `hidden_papers`).
sa.Index(
    "ix_papers_hidden",
    papers.c.arxiv_id,
    sqlite_where=papers.c.hidden == sa.true(),
    postgresql_where=papers.c.hidden == sa.true(),
)

daily_entries = sa.Table(
    "daily_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column(
        "arxiv_id",
        sa.String(64),
        sa.ForeignKey("papers.arxiv_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("submitted_by", sa.Text),
    sa.Column("submitted_at", UtcDateTime),
    sa.Column("position", sa.Integer),
    sa.Column("hf_item", sa.JSON),  # HF's own item fields, verbatim (domain/papers.py)
    # Sort keys copied from the paper (kept in sync by PaperStore, the only writer), so a
    # day's page is an index range scan that stops after one page instead of a sort of
    # every paper of the day: p50 38 ms -> ~2 ms at 1M papers (bench/import_bench.py).
    sa.Column("upvotes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("published_at", UtcDateTime),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("day", "arxiv_id", name="uq_daily_entries_day_arxiv_id"),
    sa.Index("ix_daily_entries_submitted_by", "submitted_by"),
    # Pages order by these columns all descending: both databases walk the index backwards.
    sa.Index("ix_daily_entries_day_rank", "day", "hidden", "upvotes", "published_at", "arxiv_id"),
    sa.Index("ix_daily_entries_day_published", "day", "hidden", "published_at"),
)

# One row per (paper, model): the vector of the paper's title + abstract, and the vectors of
# its sentences (the semantic rationale and sentence-level scoring read them). `text_hash`
# says which text was embedded, so a changed abstract is re-embedded; `checked_at` is when
# that was last verified, so `dailypapers index` only re-reads papers modified since.
# On SQLite `vector` holds float32 bytes; on PostgreSQL it stays NULL and the vector lives in
# the pgvector column `embedding` (see DIALECT_ONLY). `id` only grows (AUTOINCREMENT), so
# count + max(id) tells a process that its in-memory copy of the vectors is stale.
embeddings = sa.Table(
    "embeddings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "arxiv_id",
        sa.String(64),
        sa.ForeignKey("papers.arxiv_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("dim", sa.Integer, nullable=False),
    sa.Column("vector", sa.LargeBinary),
    sa.Column("sentences", sa.LargeBinary),
    sa.Column("sentence_spans", sa.JSON),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("checked_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("arxiv_id", "model", name="uq_embeddings_arxiv_id_model"),
    sa.Index("ix_embeddings_model_id", "model", "id"),
    sqlite_autoincrement=True,
)

# Search objects that exist on one dialect only, created by migrations 0002 and 0014 with raw
# DDL and kept out of schema comparisons (tests/integration/test_schema.py, Alembic
# autogenerate): SQLite's FTS5 index over papers (a contentless virtual table with title,
# abstract, keywords and authors columns, its shadow tables, the view `papers_fts_text` that
# assembles each field's text, and the triggers that keep it in sync, on `papers` and, since
# migration 0015 put computed keyphrases in the keywords field, on `paper_keyphrases`);
# PostgreSQL's tsvector column (kept by row triggers on both tables and the functions
# `paper_keyword_text` / `paper_author_text`) with its GIN index, and the pgvector column
# with its HNSW index.
FTS_TABLE = "papers_fts"
FTS_TEXT_VIEW = "papers_fts_text"  # each indexed field's text per paper (migrations 0014, 0015)
DIALECT_ONLY_COLUMNS = {("papers", "search_vector"), ("embeddings", "embedding")}
DIALECT_ONLY_INDEXES = {"ix_papers_search_vector", "ix_embeddings_embedding_hnsw"}


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic `include_name` hook: hide the dialect-only search objects from comparisons."""
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in DIALECT_ONLY_COLUMNS
    if type_ == "index":
        return name not in DIALECT_ONLY_INDEXES
    return True
