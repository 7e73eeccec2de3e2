"""The one place that knows SQL for comments.

Deleting keeps the row (its replies stay in place) but empties the body; moderators hide.
Every write that can change how many of a paper's comments are visible recounts them into
`papers.local_comments` in the same transaction (cards and the API show HF's count plus it,
as upvotes are counted), so the count is never read-modify-write and never drifts.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Row

from dailypapers.domain.community import Comment
from dailypapers.storage.community_tables import comments, users
from dailypapers.storage.database import Database
from dailypapers.storage.tables import as_utc, papers


def _comment(row: Row) -> Comment:
    return Comment(
        id=row.id,
        arxiv_id=row.arxiv_id,
        user_id=row.user_id,
        author=row.username,
        body=row.body,
        created_at=as_utc(row.created_at),  # type: ignore[arg-type]
        parent_id=row.parent_id,
        edited_at=as_utc(row.edited_at),
        deleted=row.deleted_at is not None,
        hidden=bool(row.hidden),
    )


_SELECT = sa.select(comments, users.c.username).select_from(
    comments.join(users, users.c.id == comments.c.user_id)
)


def _recount(conn: sa.Connection, arxiv_id: sa.ColumnElement | str) -> None:
    visible = (
        sa.select(sa.func.count())
        .select_from(comments)
        .where(
            comments.c.arxiv_id == papers.c.arxiv_id,
            comments.c.deleted_at.is_(None),
            comments.c.hidden.is_(sa.false()),
        )
        .scalar_subquery()
    )
    conn.execute(
        papers.update().where(papers.c.arxiv_id == arxiv_id).values(local_comments=visible)
    )


def _paper_of(comment_id: int) -> sa.ScalarSelect:
    return sa.select(comments.c.arxiv_id).where(comments.c.id == comment_id).scalar_subquery()


class CommentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, arxiv_id: str, user_id: int, body: str, *, parent_id: int | None, now: datetime
    ) -> Comment:
        with self.db.write() as conn:
            new_id = conn.execute(
                comments.insert()
                .values(
                    arxiv_id=arxiv_id,
                    user_id=user_id,
                    parent_id=parent_id,
                    body=body,
                    created_at=now,
                )
                .returning(comments.c.id)
            ).scalar_one()
            _recount(conn, arxiv_id)
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, comment_id: int) -> Comment | None:
        with self.db.read() as conn:
            row = conn.execute(_SELECT.where(comments.c.id == comment_id)).first()
        return _comment(row) if row else None

    def for_paper(self, arxiv_id: str) -> list[Comment]:
        query = _SELECT.where(comments.c.arxiv_id == arxiv_id).order_by(comments.c.id)
        with self.db.read() as conn:
            return [_comment(r) for r in conn.execute(query)]

    def edit(self, comment_id: int, body: str, *, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                comments.update()
                .where(comments.c.id == comment_id, comments.c.deleted_at.is_(None))
                .values(body=body, edited_at=now)
            )

    def delete(self, comment_id: int, *, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                comments.update().where(comments.c.id == comment_id).values(body="", deleted_at=now)
            )
            _recount(conn, _paper_of(comment_id))

    def set_hidden(self, comment_id: int, hidden: bool) -> bool:
        with self.db.write() as conn:
            changed = conn.execute(
                comments.update().where(comments.c.id == comment_id).values(hidden=hidden)
            ).rowcount
            _recount(conn, _paper_of(comment_id))
            return bool(changed)
