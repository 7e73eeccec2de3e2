"""The one place that knows SQL for collections (reading lists) and their papers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from dailypapers.domain.community import Collection
from dailypapers.domain.papers import Paper
from dailypapers.storage.community_tables import collection_items, collections, users
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PAPER_COLUMNS, paper_from_row
from dailypapers.storage.tables import as_utc, papers

_COUNT = (
    sa.select(sa.func.count())
    .select_from(collection_items.join(papers, papers.c.arxiv_id == collection_items.c.arxiv_id))
    .where(collection_items.c.collection_id == collections.c.id, papers.c.hidden == sa.false())
    .scalar_subquery()
)
_SELECT = sa.select(collections, users.c.username, _COUNT.label("paper_count")).select_from(
    collections.join(users, users.c.id == collections.c.user_id)
)


def _collection(row: Row) -> Collection:
    return Collection(
        id=row.id,
        user_id=row.user_id,
        owner=row.username,
        name=row.name,
        description=row.description,
        is_public=bool(row.is_public),
        created_at=as_utc(row.created_at),  # type: ignore[arg-type]
        updated_at=as_utc(row.updated_at),  # type: ignore[arg-type]
        paper_count=row.paper_count,
    )


class CollectionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, user_id: int, name: str, description: str, is_public: bool, *, now: datetime
    ) -> Collection:
        with self.db.write() as conn:
            new_id = conn.execute(
                collections.insert()
                .values(
                    user_id=user_id,
                    name=name,
                    description=description,
                    is_public=is_public,
                    created_at=now,
                    updated_at=now,
                )
                .returning(collections.c.id)
            ).scalar_one()
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, collection_id: int) -> Collection | None:
        with self.db.read() as conn:
            row = conn.execute(_SELECT.where(collections.c.id == collection_id)).first()
        return _collection(row) if row else None

    def of_user(self, user_id: int, *, public_only: bool) -> list[Collection]:
        query = _SELECT.where(collections.c.user_id == user_id)
        if public_only:
            query = query.where(collections.c.is_public == sa.true())
        query = query.order_by(collections.c.updated_at.desc(), collections.c.id.desc())
        with self.db.read() as conn:
            return [_collection(r) for r in conn.execute(query)]

    def update(
        self, collection_id: int, *, name: str, description: str, is_public: bool, now: datetime
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                collections.update()
                .where(collections.c.id == collection_id)
                .values(name=name, description=description, is_public=is_public, updated_at=now)
            )

    def delete(self, collection_id: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                collection_items.delete().where(collection_items.c.collection_id == collection_id)
            )
            conn.execute(collections.delete().where(collections.c.id == collection_id))

    def add_paper(self, collection_id: int, arxiv_id: str, *, now: datetime) -> bool:
        """Add a paper (idempotent); True if it was not there before."""
        insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        with self.db.write() as conn:
            added = conn.execute(
                insert(collection_items)
                .values(collection_id=collection_id, arxiv_id=arxiv_id, added_at=now)
                .on_conflict_do_nothing(index_elements=["collection_id", "arxiv_id"])
                .returning(collection_items.c.arxiv_id)
            ).first()
            conn.execute(
                collections.update().where(collections.c.id == collection_id).values(updated_at=now)
            )
        return added is not None

    def remove_paper(self, collection_id: int, arxiv_id: str, *, now: datetime) -> bool:
        with self.db.write() as conn:
            removed = conn.execute(
                collection_items.delete().where(
                    collection_items.c.collection_id == collection_id,
                    collection_items.c.arxiv_id == arxiv_id,
                )
            ).rowcount
            conn.execute(
                collections.update().where(collections.c.id == collection_id).values(updated_at=now)
            )
        return bool(removed)

    def papers_in(self, collection_id: int) -> list[Paper]:
        """The visible papers of a collection, most recently added first."""
        query = (
            sa.select(*PAPER_COLUMNS)
            .select_from(
                collection_items.join(papers, papers.c.arxiv_id == collection_items.c.arxiv_id)
            )
            .where(collection_items.c.collection_id == collection_id, papers.c.hidden == sa.false())
            .order_by(collection_items.c.added_at.desc(), collection_items.c.arxiv_id)
        )
        with self.db.read() as conn:
            return [paper_from_row(r) for r in conn.execute(query)]

    def containing(self, user_id: int, arxiv_id: str) -> set[int]:
        """Ids of the user's collections that hold this paper."""
        query = (
            sa.select(collections.c.id)
            .select_from(
                collections.join(
                    collection_items, collection_items.c.collection_id == collections.c.id
                )
            )
            .where(collections.c.user_id == user_id, collection_items.c.arxiv_id == arxiv_id)
        )
        with self.db.read() as conn:
            return set(conn.execute(query).scalars())
