"""The one place that knows SQL for computed keyphrases (storage/keyphrase_tables.py).

A paper needs keyphrases when it is embedded with the current model, has no `ai_keywords`
of its own from Hugging Face, and has no keyphrase row for that embedding (none yet, or one
from an older text or model): `pending` finds those, in id order, a batch at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.storage.database import Database
from dailypapers.storage.keyphrase_tables import paper_keyphrases
from dailypapers.storage.tables import embeddings, papers


@dataclass(frozen=True, slots=True)
class KeyphrasePending:
    arxiv_id: str
    title: str
    abstract: str
    text_hash: str  # of the paper's embedding


class KeyphraseStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _pending(self, model: str) -> sa.Select:
        k = paper_keyphrases
        # HF's keywords: SQL NULL, JSON null (the JSON type's None) or an empty list
        as_text = sa.cast(papers.c.ai_keywords, sa.Text)
        no_keywords = sa.or_(papers.c.ai_keywords.is_(None), as_text.in_(["null", "[]"]))
        joined = papers.join(
            embeddings,
            sa.and_(embeddings.c.arxiv_id == papers.c.arxiv_id, embeddings.c.model == model),
        ).outerjoin(k, k.c.arxiv_id == papers.c.arxiv_id)
        stale = sa.or_(
            k.c.arxiv_id.is_(None), k.c.text_hash != embeddings.c.text_hash, k.c.model != model
        )
        return (
            sa.select(papers.c.arxiv_id, papers.c.title, papers.c.abstract, embeddings.c.text_hash)
            .select_from(joined)
            .where(no_keywords, stale)
        )

    def pending(
        self, model: str, *, limit: int, among: Sequence[str] | None = None
    ) -> list[KeyphrasePending]:
        """Up to `limit` papers that need keyphrases (of `among` only, if given), by id."""
        query = self._pending(model).order_by(papers.c.arxiv_id).limit(limit)
        if among is not None:
            query = query.where(papers.c.arxiv_id.in_(list(among)))
        with self.db.read() as conn:
            return [KeyphrasePending(*row) for row in conn.execute(query)]

    def count_pending(self, model: str) -> int:
        query = sa.select(sa.func.count()).select_from(self._pending(model).subquery())
        with self.db.read() as conn:
            return conn.execute(query).scalar_one()

    def save(
        self, model: str, rows: Sequence[tuple[str, str, list[str]]], *, now: datetime
    ) -> None:
        """(arxiv_id, embedding text hash, phrases) rows, replacing earlier ones."""
        if not rows:
            return
        insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        values = [
            {"arxiv_id": a, "model": model, "text_hash": h, "phrases": list(p), "computed_at": now}
            for a, h, p in rows
        ]
        stmt = insert(paper_keyphrases).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["arxiv_id"],
            set_={
                "model": stmt.excluded.model,
                "text_hash": stmt.excluded.text_hash,
                "phrases": stmt.excluded.phrases,
                "computed_at": stmt.excluded.computed_at,
            },
        )
        with self.db.write() as conn:
            conn.execute(stmt)

    def for_papers(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """The stored keyphrases of those of `ids` that have some."""
        if not ids:
            return {}
        k = paper_keyphrases
        query = sa.select(k.c.arxiv_id, k.c.phrases).where(k.c.arxiv_id.in_(list(ids)))
        with self.db.read() as conn:
            return {row.arxiv_id: list(row.phrases) for row in conn.execute(query)}
