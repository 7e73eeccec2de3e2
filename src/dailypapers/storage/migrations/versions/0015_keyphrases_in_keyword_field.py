"""Computed keyphrases join keyword search for papers without HF keywords, at weight 1.

Issue 12 computes keyphrases (search/keyphrases.py, table `paper_keyphrases`) for papers that
come without Hugging Face's `ai_keywords`, which most of a full arXiv import does; migration
0014 left such papers' keywords field empty. Where they go was chosen on the short-query tune
split with the documents' HF keywords left out (as arXiv-only papers), keyword search, nDCG@10
(`tools/tune_short_fusion.py --without-keywords --keyphrases --fts-weights 2,1,K,1`):
without keyphrases 0.8878; with them at weight K = 1: 0.8892, 2: 0.8883, 6 (the keywords
field's weight, i.e. in that field): 0.8861, 10: 0.8842. In HF's keywords field they would
cost what they bring: they are words the paper already holds, picked by meaning, not a
second opinion on its topic. So they are a field of their own with weight 1, which is the
abstract's weight, and the weight is all a field is to bm25 here: FTS5's bm25 sums the
column-weighted term counts over a row and normalises by the whole row's length, so words
appended to the abstract column score exactly as a column of their own with weight 1;
PostgreSQL's tsvector has four weight classes (A-D), all taken, and B is the abstract's.
A paper never has both HF keywords and keyphrases in the index (keyphrases are computed only
without HF keywords, and ignored once HF's arrive).

SQLite: the view `papers_fts_text` (the one place each field's text is assembled) appends the
keyphrases to the abstract column's text. A write to `paper_keyphrases` re-indexes its paper
the way the papers triggers do: take the paper's row out of the contentless `papers_fts`
BEFORE (the view still shows the old text) and put it back AFTER. An upsert (the store's
`ON CONFLICT DO UPDATE`) fires BEFORE INSERT and then the UPDATE triggers, so the BEFORE
INSERT trigger acts only when the paper has no keyphrase row yet (else the UPDATE pair does
it; a row taken out twice is counted out twice in bm25's statistics). A paper's deletion
cascades to its keyphrases after its row is gone: the view then shows nothing and the
triggers do nothing. The six triggers are part of storage/bulk_index.py's trigger set
(dropped and recreated around a bulk import); the statements here are kept the same as its
copies.
PostgreSQL: `search_vector` gains `paper_keyphrase_text(arxiv_id, ai_keywords)` at weight B,
and a row trigger on `paper_keyphrases` touches the paper (`SET ai_keywords = ai_keywords`),
which fires the row trigger that recomputes `search_vector`.

The authors field's weight goes from 1 to 2 (SQLite bm25; PostgreSQL's authors class D
from 0.2 to 0.4 in storage/keyword_index.py): the short-query dev set's author and quoted
phrase queries (tune, keyword search, nDCG@10, `--fts-weights 2,1,6,A`): A = 0.5: 0.8595,
1: 0.8627, 2: 0.8646, 4: 0.8652, with topics, keyword lists and titles unchanged at 1, 2
and 4 (0.9453); 2 is the smallest weight within 0.002 of the best.

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
_KEYPHRASES = f"""CASE WHEN {_HF_KEYWORDS} IS NULL THEN (SELECT group_concat(j.value, ', ')
            FROM paper_keyphrases AS k, json_each(k.phrases) AS j
            WHERE k.arxiv_id = papers.arxiv_id) END"""


def _view(abstract: str) -> str:
    return f"""CREATE VIEW papers_fts_text AS SELECT
        papers.rowid AS paper_rowid, papers.title AS title, {abstract} AS abstract,
        {_HF_KEYWORDS} AS keywords,
        (SELECT group_concat(value, ', ') FROM json_each(papers.authors)) AS authors
        FROM papers"""


_OUT = """INSERT INTO papers_fts(papers_fts, rowid, title, abstract, keywords, authors)
        SELECT 'delete', paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = (SELECT rowid FROM papers WHERE arxiv_id = {row}.arxiv_id);"""
_IN = """INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text
        WHERE paper_rowid = (SELECT rowid FROM papers WHERE arxiv_id = {row}.arxiv_id);"""


# Kept the same as storage/bulk_index.py's copy (which recreates them after a bulk import): a
# migration stands alone, so it does not import the current code.
def _keyphrase_triggers(out: str, into: str) -> dict[str, str]:
    """The six triggers that re-index a paper when its keyphrases change: before the write,
    its old entry out of the index (a first insert only if the paper has none yet: the
    upsert fires both insert and update); after it, the new entry in."""
    rows = {"insert": ("new", "new"), "update": ("old", "new"), "delete": ("old", "old")}
    triggers = {}
    for event, (before_row, after_row) in rows.items():
        for when, body in (
            ("before", out.format(row=before_row)),
            ("after", into.format(row=after_row)),
        ):
            guard = ""
            if (when, event) == ("before", "insert"):
                guard = "\n    WHEN NOT EXISTS (SELECT 1 FROM paper_keyphrases"
                guard += " WHERE arxiv_id = new.arxiv_id)"
            name = f"paper_keyphrases_fts_{when}_{event}"
            triggers[name] = f"""CREATE TRIGGER IF NOT EXISTS
        {name} {when.upper()} {event.upper()} ON paper_keyphrases{guard} BEGIN
        {body}
    END"""
    return triggers


SQLITE_KEYPHRASE_TRIGGERS = _keyphrase_triggers(_OUT, _IN)

_SQLITE_REBUILD = [
    "INSERT INTO papers_fts(papers_fts) VALUES ('delete-all')",
    """INSERT INTO papers_fts(rowid, title, abstract, keywords, authors)
        SELECT paper_rowid, title, abstract, keywords, authors FROM papers_fts_text""",
]


def _pg_search_vector(keyphrases: bool) -> str:
    extra = (
        """ ||
            setweight(to_tsvector('english',
                paper_keyphrase_text(NEW.arxiv_id, NEW.ai_keywords)), 'B')"""
        if keyphrases
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION papers_search_vector() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(NEW.abstract, '')), 'B') ||
            setweight(to_tsvector('english',
                paper_keyword_text(NEW.arxiv_id, NEW.ai_keywords)), 'C') ||
            setweight(to_tsvector('english', paper_author_text(NEW.authors)), 'D'){extra};
        RETURN NEW;
    END $$"""


# Recompute search_vector for the papers that have keyphrases (the papers row trigger does).
_PG_REFRESH = """UPDATE papers SET ai_keywords = ai_keywords
    WHERE arxiv_id IN (SELECT arxiv_id FROM paper_keyphrases)"""

_PG_UP = [
    # A paper's keyphrases when it has no HF keywords (else none), joined.
    """CREATE FUNCTION paper_keyphrase_text(paper_id text, keywords json) RETURNS text
        LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN paper_keyword_text(paper_id, keywords) <> '' THEN ''
            ELSE coalesce((SELECT string_agg(p, ', ') FROM paper_keyphrases AS pk,
                json_array_elements_text(CASE WHEN json_typeof(pk.phrases) = 'array'
                    THEN pk.phrases ELSE '[]'::json END) AS p
                WHERE pk.arxiv_id = paper_id), '') END
    $$""",
    _pg_search_vector(keyphrases=True),
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
    _pg_search_vector(keyphrases=False),
    "DROP FUNCTION IF EXISTS paper_keyphrase_text(text, json)",
    _PG_REFRESH,
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in _PG_UP:
            op.execute(statement)
        return
    op.execute("DROP VIEW IF EXISTS papers_fts_text")
    op.execute(_view(f"papers.abstract || coalesce(' ' || {_KEYPHRASES}, '')"))
    for ddl in SQLITE_KEYPHRASE_TRIGGERS.values():
        op.execute(ddl)
    for statement in _SQLITE_REBUILD:
        op.execute(statement)
    op.execute(_rank(authors=2.0))


def _rank(authors: float) -> str:
    """FTS5's `rank`: bm25 with title 2, abstract (and keyphrases) 1, keywords 6, authors."""
    rank = f"bm25(2.0, 1.0, 6.0, {authors})"
    return f"INSERT INTO papers_fts(papers_fts, rank) VALUES ('rank', '{rank}')"


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in _PG_DOWN:
            op.execute(statement)
        return
    for name in SQLITE_KEYPHRASE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP VIEW IF EXISTS papers_fts_text")
    op.execute(_view("papers.abstract"))
    for statement in _SQLITE_REBUILD:
        op.execute(statement)
    op.execute(_rank(authors=1.0))
