"""The one place that knows SQL for recommendations: 👍/👎, followed authors and
categories, a reader's history (upvotes, collections, submissions, 👍 in one query each)
and an author's papers.

Feedback is one row per (user, paper), written with an upsert, so a repeated 👎 changes
nothing and a 👎 after a 👍 replaces it. Authors live in `papers.authors` (JSON): an author's
papers are found with a LIKE on the JSON text of the name (the same serialiser wrote both),
then checked exactly, which is enough for a listing page; a large site would add an
authors table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.domain.papers import Paper
from dailypapers.domain.recommendations import HistoryItem, author_key
from dailypapers.storage.community_tables import collection_items, collections, users, votes
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PAPER_COLUMNS, paper_from_row
from dailypapers.storage.recommendation_tables import (
    author_follows,
    category_follows,
    paper_feedback,
    user_models,
)
from dailypapers.storage.tables import as_utc, daily_entries, papers
from dailypapers.storage.votes import require_visible_paper


def write_feedback(
    conn: sa.Connection, dialect: str, user_id: int, arxiv_id: str, verdict: int, *, now: datetime
) -> None:
    """The one upsert of a verdict, inside the caller's transaction (the 👍/👎 buttons' and a
    digest link's, which also marks its link used). NotFound for a hidden or unknown paper."""
    require_visible_paper(conn, arxiv_id)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(paper_feedback).values(
        user_id=user_id, arxiv_id=arxiv_id, verdict=verdict, created_at=now
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "arxiv_id"],
            set_={"verdict": verdict, "created_at": now},
        )
    )


@dataclass(frozen=True, slots=True)
class StoredModel:
    history_key: str
    weights: bytes  # float32, little-endian
    bias: float
    fitted_at: datetime


class RecommendationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _insert(self):
        return postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert

    # --- 👍 / 👎 ---------------------------------------------------------------------------
    def set_feedback(
        self, user_id: int, arxiv_id: str, verdict: int | None, *, now: datetime
    ) -> None:
        """+1 (👍), -1 (👎), or None to forget the user's verdict on a visible paper."""
        with self.db.write() as conn:
            if verdict is None:
                conn.execute(
                    paper_feedback.delete().where(
                        paper_feedback.c.user_id == user_id, paper_feedback.c.arxiv_id == arxiv_id
                    )
                )
                return
            write_feedback(conn, self.db.dialect, user_id, arxiv_id, verdict, now=now)

    def feedback(self, user_id: int) -> dict[str, int]:
        """The user's verdicts by paper."""
        query = sa.select(paper_feedback.c.arxiv_id, paper_feedback.c.verdict).where(
            paper_feedback.c.user_id == user_id
        )
        with self.db.read() as conn:
            return {r.arxiv_id: r.verdict for r in conn.execute(query)}

    def clear_feedback(self, user_id: int) -> int:
        """Forget every 👍/👎 of the user (a reset); how many there were."""
        with self.db.write() as conn:
            return conn.execute(
                paper_feedback.delete().where(paper_feedback.c.user_id == user_id)
            ).rowcount

    # --- history ---------------------------------------------------------------------------
    def history(self, user_id: int, *, limit: int) -> list[HistoryItem]:
        """What the user did here that says what they like, most recent first per source."""
        visible = papers.c.hidden == sa.false()
        queries = {
            "upvoted": sa.select(votes.c.arxiv_id, votes.c.created_at.label("at"))
            .select_from(votes.join(papers, papers.c.arxiv_id == votes.c.arxiv_id))
            .where(votes.c.user_id == user_id, visible)
            .order_by(votes.c.created_at.desc()),
            "saved": sa.select(collection_items.c.arxiv_id, collection_items.c.added_at.label("at"))
            .select_from(
                collection_items.join(
                    collections, collections.c.id == collection_items.c.collection_id
                ).join(papers, papers.c.arxiv_id == collection_items.c.arxiv_id)
            )
            .where(collections.c.user_id == user_id, visible)
            .order_by(collection_items.c.added_at.desc()),
            "submitted": sa.select(
                daily_entries.c.arxiv_id, daily_entries.c.submitted_at.label("at")
            )
            .select_from(
                daily_entries.join(users, users.c.username == daily_entries.c.submitted_by).join(
                    papers, papers.c.arxiv_id == daily_entries.c.arxiv_id
                )
            )
            .where(users.c.id == user_id, daily_entries.c.source == "local", visible)
            .order_by(daily_entries.c.submitted_at.desc()),
            "liked": sa.select(paper_feedback.c.arxiv_id, paper_feedback.c.created_at.label("at"))
            .select_from(
                paper_feedback.join(papers, papers.c.arxiv_id == paper_feedback.c.arxiv_id)
            )
            .where(paper_feedback.c.user_id == user_id, paper_feedback.c.verdict == 1, visible)
            .order_by(paper_feedback.c.created_at.desc()),
        }
        items: list[HistoryItem] = []
        with self.db.read() as conn:
            for source, query in queries.items():
                for row in conn.execute(query.limit(limit)):
                    at = as_utc(row.at) or datetime.min.replace(tzinfo=UTC)
                    items.append(HistoryItem(row.arxiv_id, source, at))  # type: ignore[arg-type]
        return items

    # --- authors ---------------------------------------------------------------------------
    def follow(self, user_id: int, author: str, *, now: datetime) -> None:
        stmt = self._insert()(author_follows).values(
            user_id=user_id, author_key=author_key(author), author=author, created_at=now
        )
        with self.db.write() as conn:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["user_id", "author_key"]))

    def unfollow(self, user_id: int, author: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                author_follows.delete().where(
                    author_follows.c.user_id == user_id,
                    author_follows.c.author_key == author_key(author),
                )
            )

    def unfollow_all(self, user_id: int) -> int:
        with self.db.write() as conn:
            return conn.execute(
                author_follows.delete().where(author_follows.c.user_id == user_id)
            ).rowcount

    def followed(self, user_id: int) -> list[str]:
        """The authors the user follows, as they were first written, by name."""
        query = (
            sa.select(author_follows.c.author)
            .where(author_follows.c.user_id == user_id)
            .order_by(author_follows.c.author_key)
        )
        with self.db.read() as conn:
            return list(conn.execute(query).scalars())

    def author_papers(self, author: str, *, limit: int) -> tuple[list[Paper], int]:
        """An author's visible papers, newest first (up to `limit`), and how many in all."""
        needle = json.dumps(author.strip())[1:-1]
        pattern = '%"' + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'
        query = (
            sa.select(*PAPER_COLUMNS)
            .where(
                papers.c.hidden == sa.false(),
                sa.cast(papers.c.authors, sa.Text).like(pattern, escape="\\"),
            )
            .order_by(papers.c.published_at.desc(), papers.c.arxiv_id.desc())
        )
        key = author_key(author)
        with self.db.read() as conn:
            found = [paper_from_row(r) for r in conn.execute(query)]
        found = [p for p in found if any(author_key(a) == key for a in p.authors)]
        return found[:limit], len(found)

    # --- categories --------------------------------------------------------------------------
    def follow_category(self, user_id: int, category: str, *, now: datetime) -> None:
        stmt = self._insert()(category_follows).values(
            user_id=user_id, category=category, created_at=now
        )
        with self.db.write() as conn:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["user_id", "category"]))

    def unfollow_category(self, user_id: int, category: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                category_follows.delete().where(
                    category_follows.c.user_id == user_id, category_follows.c.category == category
                )
            )

    def unfollow_all_categories(self, user_id: int) -> int:
        with self.db.write() as conn:
            return conn.execute(
                category_follows.delete().where(category_follows.c.user_id == user_id)
            ).rowcount

    def followed_categories(self, user_id: int) -> list[str]:
        """The arXiv categories the user follows, alphabetically."""
        query = (
            sa.select(category_follows.c.category)
            .where(category_follows.c.user_id == user_id)
            .order_by(category_follows.c.category)
        )
        with self.db.read() as conn:
            return list(conn.execute(query).scalars())

    # --- stored models -----------------------------------------------------------------------
    def user_model(self, user_id: int) -> StoredModel | None:
        m = user_models.c
        query = sa.select(m.history_key, m.weights, m.bias, m.fitted_at).where(m.user_id == user_id)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return StoredModel(row.history_key, bytes(row.weights), row.bias, as_utc(row.fitted_at))

    def save_user_model(
        self, user_id: int, history_key: str, weights: bytes, bias: float, *, now: datetime
    ) -> None:
        values = {"history_key": history_key, "weights": weights, "bias": bias, "fitted_at": now}
        stmt = self._insert()(user_models).values(user_id=user_id, **values)
        with self.db.write() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=values))

    def changed_histories(self, *, since: datetime, limit: int) -> list[tuple[int, datetime]]:
        """(user id, latest change) of readers whose upvotes, saved papers, 👍/👎 or follows
        changed after `since` and after their stored model was fitted (or who have none).
        Removals leave no timestamp: the next page load notices those (a stale key)."""
        changes = sa.union_all(
            sa.select(votes.c.user_id, votes.c.created_at.label("at")).where(
                votes.c.created_at > since
            ),
            sa.select(collections.c.user_id, collection_items.c.added_at.label("at"))
            .select_from(
                collection_items.join(
                    collections, collections.c.id == collection_items.c.collection_id
                )
            )
            .where(collection_items.c.added_at > since),
            sa.select(paper_feedback.c.user_id, paper_feedback.c.created_at.label("at")).where(
                paper_feedback.c.created_at > since
            ),
            sa.select(author_follows.c.user_id, author_follows.c.created_at.label("at")).where(
                author_follows.c.created_at > since
            ),
            sa.select(category_follows.c.user_id, category_follows.c.created_at.label("at")).where(
                category_follows.c.created_at > since
            ),
        ).subquery()
        latest = (
            sa.select(changes.c.user_id, sa.func.max(changes.c.at).label("at"))
            .group_by(changes.c.user_id)
            .subquery()
        )
        query = (
            sa.select(latest.c.user_id, latest.c.at)
            .select_from(latest.outerjoin(user_models, user_models.c.user_id == latest.c.user_id))
            .where(sa.or_(user_models.c.user_id.is_(None), latest.c.at > user_models.c.fitted_at))
            .order_by(latest.c.user_id)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [(r.user_id, as_utc(r.at)) for r in conn.execute(query)]
