"""PostgreSQL: paper rows of up to a page are stored without pglz compression.

A paper row with its keyword vector is 2-4 kB, over PostgreSQL's default 2 kB
`toast_tuple_target`, so every insert (an import writes 74.7k) made the server try to
pglz-compress the vector (which doesn't compress) and then the abstract, and every read of
a compressed abstract decompressed it again. With the
target at a full page (8160) the rows stay as written: in whole imports of the 74.7k arXiv
papers the server's CPU went from 27.4, 27.8, 26.3 s to 24.8, 23.5, 23.2 s (interleaved
runs, load average 2-6; bench/import_bench.py and docs/scale-out.md), for a table ~6% larger
(51 -> 54 MB for 15k papers). The setting applies to rows written from now on.

Measured and not kept (docs/scale-out.md): computing new papers' vectors set-based per batch
instead of by the row trigger, and parsing the next batch while the server writes this one;
neither changed the import's CPU or wall time beyond the noise.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("ALTER TABLE papers SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("ALTER TABLE papers RESET (toast_tuple_target)")
