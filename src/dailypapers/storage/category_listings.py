"""Category listings: recent papers in an arXiv category, for digests and category feeds.

(Saved searches and search feeds run through the hybrid search: services/saved_searches.py.)

"Recent" means featured on a daily page on/after the day of `since`, or published on/after
`since`. Hidden papers never appear.

`listed_on` is arXiv's own 'new' listing of a day (entries with source "arxiv", in listing
order): what was listed, not what was featured (storage/papers.py says how the two differ).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from dailypapers.domain.papers import Paper
from dailypapers.storage.database import Database
from dailypapers.storage.papers import LISTED, PaperStore
from dailypapers.storage.tables import daily_entries, papers

_UPVOTES = papers.c.external_upvotes + papers.c.local_upvotes


def _recent(since: datetime | None, until: datetime | None = None) -> list[sa.ColumnElement[bool]]:
    """Visible papers published in [since, until] or featured on a day in that range."""
    where: list[sa.ColumnElement[bool]] = [papers.c.hidden == sa.false()]
    if since is None and until is None:
        return where
    published, days = [], [daily_entries.c.hidden == sa.false()]
    if since is not None:
        published.append(papers.c.published_at >= since)
        days.append(daily_entries.c.day >= since.date())
    if until is not None:
        published.append(papers.c.published_at <= until)
        days.append(daily_entries.c.day <= until.date())
    featured = sa.select(daily_entries.c.arxiv_id).where(*days)
    where.append(sa.or_(sa.and_(*published), papers.c.arxiv_id.in_(featured)))
    return where


class CategoryPapers:
    """Recent papers listed in an arXiv category (primary or cross-listed)."""

    def __init__(self, db: Database, papers_store: PaperStore) -> None:
        self.db = db
        self.papers = papers_store

    def recent(
        self,
        category: str,
        since: datetime | None,
        limit: int,
        *,
        until: datetime | None = None,
        newest_first: bool = False,
    ) -> list[Paper]:
        """Most upvoted first, then newest (or newest first). `category` must be validated
        (letters, `-`, `.`): it is matched as a quoted JSON string inside the stored list,
        which reads the same on both databases."""
        listed = sa.cast(papers.c.categories, sa.Text).like(f'%"{category}"%')
        newest = [papers.c.published_at.desc().nulls_last(), papers.c.arxiv_id.desc()]
        query = (
            sa.select(papers.c.arxiv_id)
            .where(*_recent(since, until), listed)
            .order_by(*(newest if newest_first else [_UPVOTES.desc(), *newest]))
            .limit(limit)
        )
        with self.db.read() as conn:
            ids = list(conn.execute(query).scalars())
        found = self.papers.get_many(ids)
        return [found[i] for i in ids if i in found]

    def listed_on(
        self, day: date, category: str | None, limit: int, offset: int
    ) -> tuple[list[Paper], int]:
        """A page of the papers listed as new on arXiv on `day` (in `category`, validated as
        for `recent`), in listing order, and how many there are in all."""
        where = [
            daily_entries.c.day == day,
            daily_entries.c.source == LISTED,
            daily_entries.c.hidden == sa.false(),
        ]
        if category is not None:
            listed = sa.cast(papers.c.categories, sa.Text).like(f'%"{category}"%')
            where.append(daily_entries.c.arxiv_id.in_(sa.select(papers.c.arxiv_id).where(listed)))
        query = (
            sa.select(daily_entries.c.arxiv_id)
            .where(*where)
            .order_by(daily_entries.c.position.nulls_last(), daily_entries.c.arxiv_id)
            .limit(limit)
            .offset(offset)
        )
        count = sa.select(sa.func.count()).select_from(daily_entries).where(*where)
        with self.db.read() as conn:
            ids = list(conn.execute(query).scalars())
            total = conn.execute(count).scalar_one()
        found = self.papers.get_many(ids)
        return [found[i] for i in ids if i in found], total
