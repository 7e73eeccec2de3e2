"""Reads of local submissions: daily entries with source "local", by who submitted them.

Submissions are written through `PaperStore.upsert` (it owns daily entries and their sort
keys); this module only adds the per-user listing a profile shows. Imported entries carry
Hugging Face usernames in `submitted_by` too, so the filter on source keeps a local user
named like an HF user from being credited with HF's submissions.
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.domain.papers import ListingItem
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PAPER_COLUMNS, item_from_row
from dailypapers.storage.tables import daily_entries, papers


class SubmissionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def by_user(self, username: str, *, limit: int, imported: bool = False) -> list[ListingItem]:
        """A user's visible local submissions, newest first; `imported`: instead the ones
        imported data credits to that name (a Hugging Face submitter with no account here)."""
        source = (
            daily_entries.c.source != "local" if imported else daily_entries.c.source == "local"
        )
        query = (
            sa.select(
                *PAPER_COLUMNS,
                daily_entries.c.day,
                daily_entries.c.submitted_by,
                daily_entries.c.submitted_at,
                daily_entries.c.source,
            )
            .select_from(daily_entries.join(papers, papers.c.arxiv_id == daily_entries.c.arxiv_id))
            .where(
                source,
                daily_entries.c.submitted_by == username,
                daily_entries.c.hidden == sa.false(),
            )
            .order_by(daily_entries.c.day.desc(), daily_entries.c.id.desc())
            .limit(limit)
        )
        with self.db.read() as conn:
            return [item_from_row(r) for r in conn.execute(query)]
