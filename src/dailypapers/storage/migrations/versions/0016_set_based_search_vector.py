"""PostgreSQL: a writer may supply papers' keyword vectors itself, computed set-based.

The row trigger of migration 0014 computes `search_vector` for each inserted paper; computing
the same vectors in statements over a whole batch costs the server less CPU
(storage/search_vector.py has the figures), so a batch of new papers now computes them
set-based and tells the trigger so:
the trigger fires only while the transaction-local setting
`dailypapers.search_vector_given` is not 'on'. Only storage/search_vector.py sets it, around
its one `INSERT ... SELECT` that fills the column with the trigger's own expression; every
other write (updates, other inserts) still goes through the trigger.

(Keeping rows of up to a page uncompressed, `toast_tuple_target` 8160, was measured too:
it saved pglz work on 15k rows in isolation, but nothing measurable in a whole import, so
the table keeps PostgreSQL's defaults.)

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

_COLUMNS = "title, abstract, ai_keywords, authors"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS papers_search_vector ON papers")
    op.execute(
        f"""CREATE TRIGGER papers_search_vector BEFORE INSERT OR UPDATE OF {_COLUMNS}
        ON papers FOR EACH ROW
        WHEN (current_setting('dailypapers.search_vector_given', true) IS DISTINCT FROM 'on')
        EXECUTE FUNCTION papers_search_vector()"""
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS papers_search_vector ON papers")
    op.execute(
        f"""CREATE TRIGGER papers_search_vector BEFORE INSERT OR UPDATE OF {_COLUMNS}
        ON papers FOR EACH ROW EXECUTE FUNCTION papers_search_vector()"""
    )
