"""Keyword search gets two more fields: a paper's keywords and its authors.

HF's `ai_keywords` name a paper's topics the way people search for them, and a query that
names an author should find their papers (`author:"Yann LeCun"`, or just the name). Each is
a field of its own with its own weight, so a keyword hit does not count as a title hit.

SQLite: `papers_fts` is rebuilt with four columns (title, abstract, keywords, authors) from
the view `papers_fts_text`, which is the ONE place that assembles each field's text from a
paper row (keywords: `ai_keywords` joined; authors: the names joined). The index is
contentless (`content=''`) and filled from that view by the triggers: an external-content
index can't read a view that unpacks JSON (FTS5 reads its content with table-valued functions
such as `json_each` disallowed), and keyword search reads only ranks and rowids from it.
Keyphrases computed for arXiv-only papers can be added to the keywords field later by
changing only that view's `keywords` expression (and re-indexing a paper when its keyphrases
change). The triggers read the view: a paper's old text is taken out BEFORE a change (the
view still shows it) and its new text put in AFTER.
PostgreSQL: `search_vector` becomes a column kept by a trigger (a generated column can't read
another table, which keyphrases will need), with title weight A, abstract B, keywords C and
authors D; the text of the keywords field is assembled by one SQL function,
`paper_keyword_text(arxiv_id, ai_keywords)`, the place to add keyphrases.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS papers_fts_after_insert",
    "DROP TRIGGER IF EXISTS papers_fts_after_delete",
    "DROP TRIGGER IF EXISTS papers_fts_after_update",
    "DROP TRIGGER IF EXISTS papers_fts_before_delete",
    "DROP TRIGGER IF EXISTS papers_fts_before_update",
    "DROP TABLE IF EXISTS papers_fts",
    "DROP VIEW IF EXISTS papers_fts_text",
]

# Kept the same as storage/bulk_index.py's copies (which recreate them after a bulk import).
_SQLITE_FTS = [
    """CREATE VIEW papers_fts_text AS SELECT
        papers.rowid AS paper_rowid, papers.title AS title, papers.abstract AS abstract,
        (SELECT group_concat(value, ', ') FROM json_each(papers.ai_keywords)) AS keywords,
        (SELECT group_concat(value, ', ') FROM json_each(papers.authors)) AS authors
        FROM papers""",
    """CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, keywords, authors, content='', tokenize='porter unicode61')""",
    """CREATE TRIGGER papers_fts_after_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = new.rowid;
    END""",
    """CREATE TRIGGER papers_fts_before_delete BEFORE DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract, keywords, authors)
        SELECT 'delete', paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = old.rowid;
    END""",
    """CREATE TRIGGER papers_fts_before_update
        BEFORE UPDATE OF title, abstract, ai_keywords, authors ON papers
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract
        OR old.ai_keywords IS NOT new.ai_keywords OR old.authors IS NOT new.authors BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract, keywords, authors)
        SELECT 'delete', paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = old.rowid;
    END""",
    """CREATE TRIGGER papers_fts_after_update
        AFTER UPDATE OF title, abstract, ai_keywords, authors ON papers
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract
        OR old.ai_keywords IS NOT new.ai_keywords OR old.authors IS NOT new.authors BEGIN
        INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = new.rowid;
    END""",
    """INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text""",
    # `ORDER BY rank`: bm25 with title 2, abstract 1, keywords and authors their own weights
    # (storage/keyword_index.py says how they were chosen)
    "INSERT INTO papers_fts(papers_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0, 6.0, 1.0)')",
]

_SQLITE_OLD = [
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
    "INSERT INTO papers_fts(papers_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)')",
]

_PG_FTS = [
    "DROP INDEX IF EXISTS ix_papers_search_vector",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE papers ADD COLUMN search_vector tsvector",
    # The keywords field's text: HF's keywords (keyphrases join here later).
    """CREATE FUNCTION paper_keyword_text(paper_id text, keywords json) RETURNS text
        LANGUAGE sql STABLE AS $$
        SELECT coalesce(string_agg(k, ', '), '')
        FROM json_array_elements_text(
            CASE WHEN json_typeof(keywords) = 'array' THEN keywords ELSE '[]'::json END) AS k
    $$""",
    """CREATE FUNCTION paper_author_text(authors json) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(string_agg(a, ', '), '')
        FROM json_array_elements_text(
            CASE WHEN json_typeof(authors) = 'array' THEN authors ELSE '[]'::json END) AS a
    $$""",
    """CREATE FUNCTION papers_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(NEW.abstract, '')), 'B') ||
            setweight(to_tsvector('english',
                paper_keyword_text(NEW.arxiv_id, NEW.ai_keywords)), 'C') ||
            setweight(to_tsvector('english', paper_author_text(NEW.authors)), 'D');
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER papers_search_vector BEFORE INSERT OR UPDATE OF
        title, abstract, ai_keywords, authors ON papers
        FOR EACH ROW EXECUTE FUNCTION papers_search_vector()""",
    # Fill the column for the papers already there (the trigger recomputes it).
    "UPDATE papers SET title = title",
    "CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)",
]

_PG_OLD = [
    "DROP INDEX IF EXISTS ix_papers_search_vector",
    "DROP TRIGGER IF EXISTS papers_search_vector ON papers",
    "DROP FUNCTION IF EXISTS papers_search_vector()",
    "DROP FUNCTION IF EXISTS paper_keyword_text(text, json)",
    "DROP FUNCTION IF EXISTS paper_author_text(json)",
    "ALTER TABLE papers DROP COLUMN IF EXISTS search_vector",
    """ALTER TABLE papers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(abstract, '')), 'B')) STORED""",
    "CREATE INDEX ix_papers_search_vector ON papers USING gin (search_vector)",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_DROP + _SQLITE_FTS if sqlite else _PG_FTS:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_DROP + _SQLITE_OLD if sqlite else _PG_OLD:
        op.execute(statement)
