"""New papers' keyword vectors, computed set-based per batch on PostgreSQL.

Migration 0014's row trigger computes `search_vector` for every inserted paper, and that is
most of the server's CPU in an import (74.7k arXiv papers: 32.5 s of server CPU with the
trigger and the GIN index built at the end (~8 s of it), 3.1 s with the trigger dropped, one
run). Measured on 15k of those papers in one backend: inserting them through the trigger
cost 3.3 s of CPU, plain rows 0.6 s, the trigger's expression alone in one SELECT 0.9 s once
each field's text (`paper_keyword_text`, `paper_author_text`: SQL functions) was computed in
a statement of its own, and 2.8 s with those functions called in the same row evaluation
(computed alone they cost 0.1 s; we did not pin down why the mix costs more). In the whole
import the gain is smaller than that: server CPU 32.5 -> 27.9 s, medians of 3
(bench/import_bench.py --baseline, load average ~10), since `to_tsvector` itself remains.

So `insert_papers` writes a batch of new papers in four statements in the writer's
transaction: COPY into a temporary table; compute each paper's keyword and author text there
with the SAME SQL functions the trigger calls; `INSERT ... SELECT` into `papers` with the
vector computed by the trigger's own expression (`_VECTOR`, kept equal to migration 0014's
`papers_search_vector()`; tests/integration/test_search_vector.py checks every imported
paper against the trigger); and the trigger told to stand aside for that one statement
(`dailypapers.search_vector_given`, transaction-local, migration 0016). Everything else
(updates, other writers' inserts) still goes through the trigger. The batch lands with its
vectors or not at all, so a killed import or a restart can't leave a paper without one.
SQLite keeps its triggers (storage/bulk_index.py): it writes through `insert_rows`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from dailypapers.storage.bulk_rows import copy_rows, insert_rows, quoted_names
from dailypapers.storage.tables import papers

# The weighted vector of migration 0014's trigger function, over the staged row `s` and its
# texts `t`: title A, abstract B, keywords C, authors D.
_VECTOR = """setweight(to_tsvector('english', coalesce(s.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(s.abstract, '')), 'B') ||
    setweight(to_tsvector('english', t.keywords), 'C') ||
    setweight(to_tsvector('english', t.authors), 'D')"""
_GIVEN = "dailypapers.search_vector_given"


def insert_papers(conn: Connection, rows: Sequence[dict]) -> None:
    """Insert new paper rows (dicts keyed by column name, all with the same keys)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        insert_rows(conn, papers, rows)
        return
    columns = list(rows[0])
    names = quoted_names(conn, columns)
    staged = ", ".join(f"s.{name}" for name in names.split(", "))
    # every column of papers (one the rows lack is NULL here: the texts read what the
    # trigger would see, as none of their columns has a default)
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE incoming_papers ON COMMIT DROP AS SELECT * FROM papers WITH NO DATA"
    )
    copy_rows(conn, papers, "incoming_papers", rows, columns)
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE incoming_paper_text ON COMMIT DROP AS "
        "SELECT arxiv_id, paper_keyword_text(arxiv_id, ai_keywords) AS keywords, "
        "paper_author_text(authors) AS authors FROM incoming_papers"
    )
    conn.exec_driver_sql(f"SELECT set_config('{_GIVEN}', 'on', true)")
    conn.exec_driver_sql(
        f"INSERT INTO papers ({names}, search_vector) SELECT {staged}, {_VECTOR} "
        "FROM incoming_papers s JOIN incoming_paper_text t ON t.arxiv_id = s.arxiv_id"
    )
    conn.exec_driver_sql(f"SELECT set_config('{_GIVEN}', 'off', true)")
    conn.exec_driver_sql("DROP TABLE incoming_papers, incoming_paper_text")
