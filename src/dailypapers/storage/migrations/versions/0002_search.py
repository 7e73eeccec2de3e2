"""Search: embeddings per (paper, model), and each dialect's keyword and vector indexes.

SQLite: an FTS5 external-content table over papers (porter stemming, title and abstract
columns), kept in sync by triggers that fire only when the title or abstract changes.
PostgreSQL: a generated tsvector column (title weight A, abstract weight B) with a GIN index,
the pgvector extension, a `vector(384)` column on embeddings and an HNSW index (cosine).
These dialect-only objects are listed in storage/tables.py so schema comparisons skip them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UtcDateTime = sa.DateTime(timezone=True)

# The pgvector column's width: all-MiniLM-L6-v2's. A model of another width needs a migration.
VECTOR_DIM = 384

_SQLITE_FTS = [
    """CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, content='papers', content_rowid='rowid',
        tokenize='porter unicode61')""",
    """CREATE TRIGGER papers_fts_after_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, abstract)
        VALUES (new.rowid, new.title, new.abstract);
    END""",
    """CREATE TRIGGER papers_fts_after_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
        VALUES ('delete', old.rowid, old.title, old.abstract);
    END""",
    """CREATE TRIGGER papers_fts_after_update AFTER UPDATE OF title, abstract ON papers
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
        VALUES ('delete', old.rowid, old.title, old.abstract);
        INSERT INTO papers_fts(rowid, title, abstract)
        VALUES (new.rowid, new.title, new.abstract);
    END""",
    "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
    # `ORDER BY rank` ranks by bm25 with the title weighted 2, the abstract 1
    "INSERT INTO papers_fts(papers_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')",
]

_POSTGRES_SEARCH = [
    """ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(abstract, '')), 'B')) STORED""",
    "CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)",
    "CREATE EXTENSION IF NOT EXISTS vector",
    f"ALTER TABLE embeddings ADD COLUMN embedding vector({VECTOR_DIM})",
    """CREATE INDEX ix_embeddings_embedding_hnsw ON embeddings
        USING hnsw (embedding vector_cosine_ops)""",
]


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary),
        sa.Column("sentences", sa.LargeBinary),
        sa.Column("sentence_spans", sa.JSON),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("checked_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_embeddings"),
        sa.ForeignKeyConstraint(
            ["arxiv_id"],
            ["papers.arxiv_id"],
            name="fk_embeddings_arxiv_id_papers",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("arxiv_id", "model", name="uq_embeddings_arxiv_id_model"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_embeddings_model_id", "embeddings", ["model", "id"])
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_FTS if dialect == "sqlite" else _POSTGRES_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS papers_fts_after_{trigger}")
        op.execute("DROP TABLE IF EXISTS papers_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_papers_search_vector")
        op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS search_vector")
    op.drop_table("embeddings")
