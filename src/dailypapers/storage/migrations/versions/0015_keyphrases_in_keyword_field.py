"""Computed keyphrases join the keywords field of keyword search, for papers without HF's.

Issue 12 computes keyphrases (search/keyphrases.py, table `paper_keyphrases`) for papers that
come without Hugging Face's `ai_keywords`, which most of a full arXiv import does. Migration
0014 left the keywords field empty for those papers; now it holds HF's keywords when the paper
has some, else its computed keyphrases. One field, not one of their own:
- a paper never has both (keyphrases are computed only for papers without HF keywords), so
  a field of their own would only be the keywords field under another weight, and the weight
  the tune split chooses for keyphrases alone is the keywords field's own (docs/search.md,
  `tools/tune_short_fusion.py --without-keywords --keyphrases`);
- PostgreSQL's tsvector has four weight classes (A-D), all taken by title, abstract, keywords
  and authors.

SQLite: the view `papers_fts_text` (the one place each field's text is assembled) takes the
keyphrases when HF's keywords are empty. A write to `paper_keyphrases` re-indexes its paper
the way the papers triggers do: take the paper's row out of the contentless `papers_fts`
BEFORE (the view still shows the old text) and put it back AFTER. An upsert (the store's
`ON CONFLICT DO UPDATE`) fires BEFORE INSERT and then the UPDATE triggers, so the BEFORE
INSERT trigger acts only when the paper has no keyphrase row yet (else the UPDATE pair does
it; taking a row out twice would corrupt the index). A paper's deletion cascades to its
keyphrases after its row is gone: the view then shows nothing and the triggers do nothing.
The six triggers are part of storage/bulk_index.py's trigger set (dropped and recreated
around a bulk import); the statements here are kept the same as its copies.
PostgreSQL: `paper_keyword_text(arxiv_id, ai_keywords)` falls back to the keyphrases, and a
row trigger on `paper_keyphrases` touches the paper (`SET ai_keywords = ai_keywords`), which
fires the row trigger that recomputes `search_vector`.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_HF_KEYWORDS = "(SELECT group_concat(value, ', ') FROM json_each(papers.ai_keywords))"
_KEYPHRASES = """(SELECT group_concat(j.value, ', ')
            FROM paper_keyphrases AS k, json_each(k.phrases) AS j
            WHERE k.arxiv_id = papers.arxiv_id)"""


def _view(keywords: str) -> str:
    return f"""CREATE VIEW papers_fts_text AS SELECT
        papers.rowid AS paper_rowid, papers.title AS title, papers.abstract AS abstract,
        {keywords} AS keywords,
        (SELECT group_concat(value, ', ') FROM json_each(papers.authors)) AS authors
        FROM papers"""


_OUT = """INSERT INTO papers_fts(papers_fts, rowid, title, abstract, keywords, authors)
        SELECT 'delete', paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = (SELECT rowid FROM papers WHERE arxiv_id = {row}.arxiv_id);"""
_IN = """INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = (SELECT rowid FROM papers WHERE arxiv_id = {row}.arxiv_id);"""

# Kept the same as storage/bulk_index.py's copies (which recreate them after a bulk import).
SQLITE_KEYPHRASE_TRIGGERS = {
    "paper_keyphrases_fts_before_insert": f"""CREATE TRIGGER IF NOT EXISTS
        paper_keyphrases_fts_before_insert BEFORE INSERT ON paper_keyphrases
    WHEN NOT EXISTS (SELECT 1 FROM paper_keyphrases WHERE arxiv_id = new.arxiv_id) BEGIN
        {_OUT.format(row="new")}
    END""",
    "paper_keyphrases_fts_after_insert": f"""CREATE TRIGGER IF NOT EXISTS
        paper_keyphrases_fts_after_insert AFTER INSERT ON paper_keyphrases BEGIN
        {_IN.format(row="new")}
    END""",
    "paper_keyphrases_fts_before_update": f"""CREATE TRIGGER IF NOT EXISTS
        paper_keyphrases_fts_before_update BEFORE UPDATE ON paper_keyphrases BEGIN
        {_OUT.format(row="old")}
    END""",
    "paper_keyphrases_fts_after_update": f"""CREATE TRIGGER IF NOT EXISTS
        paper_keyphrases_fts_after_update AFTER UPDATE ON paper_keyphrases BEGIN
        {_IN.format(row="new")}
    END""",
    "paper_keyphrases_fts_before_delete": f"""CREATE TRIGGER IF NOT EXISTS
        paper_keyphrases_fts_before_delete BEFORE DELETE ON paper_keyphrases BEGIN
        {_OUT.format(row="old")}
    END""",
    "paper_keyphrases_fts_after_delete": f"""CREATE TRIGGER IF NOT EXISTS
        paper_keyphrases_fts_after_delete AFTER DELETE ON paper_keyphrases BEGIN
        {_IN.format(row="old")}
    END""",
}

_SQLITE_REBUILD = [
    "INSERT INTO papers_fts(papers_fts) VALUES ('delete-all')",
    """INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text""",
]


def _pg_keyword_text(keyphrases: bool) -> str:
    fallback = (
        """,
        (SELECT string_agg(p, ', ') FROM paper_keyphrases AS pk,
            json_array_elements_text(CASE WHEN json_typeof(pk.phrases) = 'array'
                THEN pk.phrases ELSE '[]'::json END) AS p
            WHERE pk.arxiv_id = paper_id)"""
        if keyphrases
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION paper_keyword_text(paper_id text, keywords json)
        RETURNS text LANGUAGE sql STABLE AS $$
        SELECT coalesce(
            (SELECT string_agg(k, ', ') FROM json_array_elements_text(
                CASE WHEN json_typeof(keywords) = 'array' THEN keywords ELSE '[]'::json END)
                AS k){fallback}, '')
    $$"""


# Recompute search_vector for the papers that have keyphrases (the papers row trigger does).
_PG_REFRESH = """UPDATE papers SET ai_keywords = ai_keywords
    WHERE arxiv_id IN (SELECT arxiv_id FROM paper_keyphrases)"""

_PG_UP = [
    _pg_keyword_text(keyphrases=True),
    """CREATE FUNCTION paper_keyphrases_search_vector() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE papers SET ai_keywords = ai_keywords WHERE arxiv_id = OLD.arxiv_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.arxiv_id <> OLD.arxiv_id)
        THEN
            UPDATE papers SET ai_keywords = ai_keywords WHERE arxiv_id = NEW.arxiv_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER paper_keyphrases_search_vector
        AFTER INSERT OR UPDATE OR DELETE ON paper_keyphrases
        FOR EACH ROW EXECUTE FUNCTION paper_keyphrases_search_vector()""",
    _PG_REFRESH,
]

_PG_DOWN = [
    "DROP TRIGGER IF EXISTS paper_keyphrases_search_vector ON paper_keyphrases",
    "DROP FUNCTION IF EXISTS paper_keyphrases_search_vector()",
    _pg_keyword_text(keyphrases=False),
    _PG_REFRESH,
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in _PG_UP:
            op.execute(statement)
        return
    op.execute("DROP VIEW IF EXISTS papers_fts_text")
    op.execute(_view(f"coalesce({_HF_KEYWORDS}, {_KEYPHRASES})"))
    for ddl in SQLITE_KEYPHRASE_TRIGGERS.values():
        op.execute(ddl)
    for statement in _SQLITE_REBUILD:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in _PG_DOWN:
            op.execute(statement)
        return
    for name in SQLITE_KEYPHRASE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP VIEW IF EXISTS papers_fts_text")
    op.execute(_view(_HF_KEYWORDS))
    for statement in _SQLITE_REBUILD:
        op.execute(statement)
