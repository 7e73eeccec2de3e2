"""The one place that knows SQL for votes, and the only writer of `papers.local_upvotes`.

A vote is a row keyed (user, paper), so a second vote by the same user can't exist. Adding
inserts with ON CONFLICT DO NOTHING and removing deletes; only a row that really changed moves
the count, by `local_upvotes + 1` / `- 1` in SQL (never read-modify-write), and the daily
entries' copied sort keys are synced in the same transaction. PostgreSQL serialises racing
writers on the unique key and the paper row; SQLite on its single writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dailypapers.domain.community import VoteState
from dailypapers.domain.papers import Paper
from dailypapers.errors import NotFound
from dailypapers.storage.community_tables import votes
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PAPER_COLUMNS, paper_from_row, sync_sort_keys
from dailypapers.storage.tables import as_utc, papers


def require_visible_paper(conn: Connection, arxiv_id: str) -> None:
    """NotFound unless the paper is stored and not hidden (what a vote or a verdict needs)."""
    visible = conn.execute(
        sa.select(papers.c.arxiv_id).where(
            papers.c.arxiv_id == arxiv_id, papers.c.hidden == sa.false()
        )
    ).first()
    if visible is None:
        raise NotFound(f"paper {arxiv_id} is not in this database")


class VoteStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def set_vote(self, user_id: int, arxiv_id: str, on: bool, *, now: datetime) -> VoteState:
        """Make the user's vote on a visible paper `on` or off; idempotent."""
        with self.db.write() as conn:
            require_visible_paper(conn, arxiv_id)
            changed = (
                self._add(conn, user_id, arxiv_id, now)
                if on
                else self._remove(conn, user_id, arxiv_id)
            )
            if changed:
                delta = 1 if on else -1
                conn.execute(
                    papers.update()
                    .where(papers.c.arxiv_id == arxiv_id)
                    .values(local_upvotes=papers.c.local_upvotes + delta)
                )
                sync_sort_keys(conn, [arxiv_id])
            counts = conn.execute(
                sa.select(papers.c.local_upvotes, papers.c.external_upvotes).where(
                    papers.c.arxiv_id == arxiv_id
                )
            ).one()
        return VoteState(arxiv_id, on, counts.local_upvotes, counts.external_upvotes)

    def _add(self, conn: Connection, user_id: int, arxiv_id: str, now: datetime) -> bool:
        insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(votes)
            .values(user_id=user_id, arxiv_id=arxiv_id, created_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "arxiv_id"])
            .returning(votes.c.user_id)
        )
        return conn.execute(stmt).first() is not None

    def _remove(self, conn: Connection, user_id: int, arxiv_id: str) -> bool:
        stmt = votes.delete().where(votes.c.user_id == user_id, votes.c.arxiv_id == arxiv_id)
        return conn.execute(stmt).rowcount == 1

    def tally(self, arxiv_id: str, user_id: int | None) -> VoteState | None:
        """A visible paper's two counts, and whether this user (if any) upvoted it."""
        voted = sa.exists().where(votes.c.arxiv_id == arxiv_id, votes.c.user_id == user_id)
        query = sa.select(
            papers.c.local_upvotes,
            papers.c.external_upvotes,
            voted.label("voted") if user_id is not None else sa.false().label("voted"),
        ).where(papers.c.arxiv_id == arxiv_id, papers.c.hidden == sa.false())
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return VoteState(arxiv_id, bool(row.voted), row.local_upvotes, row.external_upvotes)

    def voted_among(self, user_id: int, ids: Sequence[str]) -> set[str]:
        """Which of these papers the user has upvoted."""
        if not ids:
            return set()
        query = sa.select(votes.c.arxiv_id).where(
            votes.c.user_id == user_id, votes.c.arxiv_id.in_(list(set(ids)))
        )
        with self.db.read() as conn:
            return set(conn.execute(query).scalars())

    def count_for(self, arxiv_id: str) -> int:
        """Votes cast here on a paper, counted from the rows (what local_upvotes must equal)."""
        with self.db.read() as conn:
            return conn.execute(
                sa.select(sa.func.count()).where(votes.c.arxiv_id == arxiv_id)
            ).scalar_one()

    def upvoted_by(self, user_id: int, *, limit: int) -> list[tuple[Paper, datetime]]:
        """The visible papers a user upvoted, most recent vote first."""
        query = (
            sa.select(*PAPER_COLUMNS, votes.c.created_at.label("voted_at"))
            .select_from(votes.join(papers, papers.c.arxiv_id == votes.c.arxiv_id))
            .where(votes.c.user_id == user_id, papers.c.hidden == sa.false())
            .order_by(votes.c.created_at.desc(), votes.c.arxiv_id)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [(paper_from_row(r), as_utc(r.voted_at)) for r in conn.execute(query)]  # type: ignore[misc]
