"""The one place that knows SQL for the 👍/👎 links of digest mails (`feedback_links`).

A link is used by one conditional UPDATE (`used_at IS NULL AND expires_at > now`) in the
same transaction as the verdict it records (storage/recommendations.py, `write_feedback`), so
two clicks racing on one link record it once, and a used link never records again.
`insert_links` is also called by the delivery store, inside the digest's point of no return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa

from dailypapers.domain.digests import FeedbackLink
from dailypapers.storage.database import Database
from dailypapers.storage.digest_tables import feedback_links
from dailypapers.storage.recommendations import write_feedback
from dailypapers.storage.tables import as_utc

Redeemed = Literal["recorded", "already", "invalid"]


@dataclass(frozen=True, slots=True)
class StoredLink:
    user_id: int
    arxiv_id: str
    verdict: int
    expires_at: datetime
    used_at: datetime | None


def insert_links(conn: sa.Connection, links: Sequence[FeedbackLink], *, now: datetime) -> None:
    """Store a digest's links, and drop its readers' expired ones (they open nothing any
    more): the table stays at about `digest_feedback_link_days` of links per reader with no
    cleanup job."""
    if links:
        conn.execute(
            feedback_links.delete().where(
                feedback_links.c.user_id.in_(sorted({link.user_id for link in links})),
                feedback_links.c.expires_at <= now,
            )
        )
        conn.execute(
            feedback_links.insert(),
            [
                {
                    "token_hash": link.token_hash,
                    "user_id": link.user_id,
                    "arxiv_id": link.arxiv_id,
                    "verdict": link.verdict,
                    "created_at": now,
                    "expires_at": link.expires_at,
                }
                for link in links
            ],
        )


class FeedbackLinkStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, links: Sequence[FeedbackLink], *, now: datetime) -> None:
        with self.db.write() as conn:
            insert_links(conn, links, now=now)

    def get(self, token_hash: str) -> StoredLink | None:
        query = sa.select(
            feedback_links.c.user_id,
            feedback_links.c.arxiv_id,
            feedback_links.c.verdict,
            feedback_links.c.expires_at,
            feedback_links.c.used_at,
        ).where(feedback_links.c.token_hash == token_hash)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return StoredLink(
            row.user_id, row.arxiv_id, row.verdict, as_utc(row.expires_at), as_utc(row.used_at)
        )

    def redeem(self, token_hash: str, *, now: datetime) -> Redeemed:
        """Use the link and record its verdict, once: "recorded" the first time, "already"
        after (nothing changes), "invalid" for an unknown or expired link."""
        link = feedback_links.c
        with self.db.write() as conn:
            used = conn.execute(
                feedback_links.update()
                .where(link.token_hash == token_hash, link.used_at.is_(None), link.expires_at > now)
                .values(used_at=now)
                .returning(link.user_id, link.arxiv_id, link.verdict)
            ).first()
            if used is not None:
                write_feedback(
                    conn, self.db.dialect, used.user_id, used.arxiv_id, used.verdict, now=now
                )
                return "recorded"
            seen = conn.execute(
                sa.select(link.used_at).where(link.token_hash == token_hash)
            ).first()
        return "already" if seen is not None and seen.used_at is not None else "invalid"
