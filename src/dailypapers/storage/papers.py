"""The one place that knows SQL for papers and daily entries.

Writes merge: the stored paper and the incoming record are combined by the domain's
`merge_paper`, and only rows that really change are written, so re-running an import
changes nothing and reports it as unchanged.

Featured versus listed: a daily entry with source "arxiv" says a paper was *listed* as new on
arXiv that day; any other source ("hf", "local") says it was *featured* there. The feeds read
one kind at a time (`listed=`), featured by default, so an arXiv import never adds papers to a
day HF featured. Both share one row per (day, paper): a feature arriving for a day the paper
was only listed on turns that row into the feature (the feature is what the day page shows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from dailypapers.domain.papers import (
    DailyEntry,
    ListingItem,
    Paper,
    SourceRecord,
    merge_paper,
)
from dailypapers.errors import RecordError
from dailypapers.storage.bulk_rows import insert_rows, upsert_rows
from dailypapers.storage.database import Database
from dailypapers.storage.tables import as_utc, daily_entries, papers

# The columns a Paper is read from, and the row -> domain converters below, are shared by
# every store that returns papers (search, votes, collections, submissions).
PAPER_COLUMNS = [c for c in papers.c if c.name not in ("hidden", "created_at", "modified_at")]

# The entry source that means "listed on arXiv that day", not featured (module docstring).
LISTED = "arxiv"


@dataclass(slots=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    entries_added: int = 0


def paper_from_row(row: Row) -> Paper:
    m = row._mapping
    return Paper(
        arxiv_id=m["arxiv_id"],
        version=m["version"],
        title=m["title"],
        abstract=m["abstract"],
        authors=list(m["authors"] or []),
        categories=list(m["categories"] or []),
        published_at=as_utc(m["published_at"]),
        updated_at=as_utc(m["updated_at"]),
        comment=m["comment"],
        doi=m["doi"],
        journal_ref=m["journal_ref"],
        github_repo=m["github_repo"],
        github_stars=m["github_stars"],
        project_page=m["project_page"],
        organization=m["organization"],
        thumbnail=m["thumbnail"],
        ai_summary=m["ai_summary"],
        ai_keywords=list(m["ai_keywords"]) if m["ai_keywords"] is not None else None,
        external_upvotes=m["external_upvotes"],
        external_comments=m["external_comments"],
        hf_fields=m["hf_fields"],
        local_upvotes=m["local_upvotes"],
        local_comments=m["local_comments"],
    )


def _paper_values(paper: Paper) -> dict:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "published_at": paper.published_at,
        "updated_at": paper.updated_at,
        "comment": paper.comment,
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "github_repo": paper.github_repo,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page,
        "organization": paper.organization,
        "thumbnail": paper.thumbnail,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
        "external_upvotes": paper.external_upvotes or 0,
        "external_comments": paper.external_comments or 0,
        "hf_fields": paper.hf_fields,
    }


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class PaperStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- writes --------------------------------------------------------------------------
    def upsert(self, records: Sequence[SourceRecord], *, now: datetime) -> UpsertCounts:
        """Merge a batch of records in one transaction: all of it lands, or none of it.

        A value the database refuses (out of range, a character it can't store) rolls the
        batch back and raises RecordError, so the caller can isolate the record.
        """
        try:
            return self._upsert(records, now=now)
        except sa.exc.DataError as exc:
            raise RecordError(f"the database refused a value ({exc.orig})") from None
        except (OverflowError, ValueError) as exc:  # SQLite's driver, before the SQL runs
            raise RecordError(f"the database refused a value ({exc})") from None

    def _upsert(self, records: Sequence[SourceRecord], *, now: datetime) -> UpsertCounts:
        counts = UpsertCounts()
        if not records:
            return counts
        incoming: dict[str, Paper] = {}
        for record in records:  # the same paper twice in a batch: merge in order
            prior = incoming.get(record.paper.arxiv_id)
            incoming[record.paper.arxiv_id] = (
                merge_paper(prior, record.paper) if prior else record.paper
            )
        with self.db.write() as conn:
            stored = self._load(conn, list(incoming), lock=True)
            inserts, updates, final = [], [], {}
            for arxiv_id, paper in incoming.items():
                old = stored.get(arxiv_id)
                if old is None:
                    final[arxiv_id] = paper
                    inserts.append({**_paper_values(paper), "created_at": now, "modified_at": now})
                    continue
                merged = final[arxiv_id] = merge_paper(old, paper)
                if _paper_values(merged) == _paper_values(old):
                    counts.unchanged += 1
                else:
                    updates.append({**_paper_values(merged), "modified_at": now})
            insert_rows(conn, papers, inserts)  # COPY / executemany (storage/bulk_rows.py)
            if updates:
                stmt = (
                    papers.update()
                    .where(papers.c.arxiv_id == sa.bindparam("b_arxiv_id"))
                    .values({k: sa.bindparam(k) for k in updates[0] if k != "arxiv_id"})
                )
                conn.execute(stmt, [{**u, "b_arxiv_id": u["arxiv_id"]} for u in updates])
            counts.inserted, counts.updated = len(inserts), len(updates)
            entries = [e for r in records for e in r.entries]
            counts.entries_added = self._add_entries(conn, entries, final)
            # Entries of papers that existed before carry sort keys that may now be stale.
            sync_sort_keys(
                conn,
                [u["arxiv_id"] for u in updates]
                + [e.arxiv_id for e in entries if e.arxiv_id in stored],
            )
        return counts

    def _add_entries(
        self, conn: Connection, entries: list[DailyEntry], final: dict[str, Paper]
    ) -> int:
        """Insert entries not yet there; an existing (day, paper) entry is left as it is."""
        if not entries:
            return 0
        rows = {}
        for e in entries:
            paper = final[e.arxiv_id]
            rows[(e.day, e.arxiv_id)] = {
                "day": e.day,
                "arxiv_id": e.arxiv_id,
                "source": e.source,
                "submitted_by": e.submitted_by,
                "submitted_at": e.submitted_at,
                "position": e.position,
                "hf_item": e.hf_item,
                "upvotes": paper.upvotes,
                "published_at": paper.published_at,
            }
        # A feature replaces a mere listing, nothing else.
        return upsert_rows(
            conn,
            daily_entries,
            list(rows.values()),
            conflict=["day", "arxiv_id"],
            update=["source", "submitted_by", "submitted_at", "position", "hf_item"],
            where=f"daily_entries.source = '{LISTED}' AND excluded.source != '{LISTED}'",
        )

    def set_hidden(self, arxiv_id: str, hidden: bool) -> bool:
        """Moderation: hide or show a paper everywhere. False when there is no such paper."""
        with self.db.write() as conn:
            found = conn.execute(
                papers.update().where(papers.c.arxiv_id == arxiv_id).values(hidden=hidden)
            ).rowcount
            sync_sort_keys(conn, [arxiv_id])
        return bool(found)

    # --- reads ---------------------------------------------------------------------------
    def _load(self, conn: Connection, ids: list[str], *, lock: bool = False) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for chunk in _chunks(ids, 10_000):
            query = sa.select(*PAPER_COLUMNS).where(papers.c.arxiv_id.in_(chunk))
            if lock and self.db.dialect == "postgresql":
                query = query.with_for_update()
            for row in conn.execute(query):
                found[row.arxiv_id] = paper_from_row(row)
        return found

    def get(self, arxiv_id: str, *, include_hidden: bool = False) -> Paper | None:
        query = sa.select(*PAPER_COLUMNS).where(papers.c.arxiv_id == arxiv_id)
        if not include_hidden:
            query = query.where(papers.c.hidden == sa.false())
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return paper_from_row(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, Paper]:
        with self.db.read() as conn:
            return self._load(conn, list(ids))

    def newest(self, limit: int, after: tuple[datetime | None, str] | None = None) -> list[Paper]:
        """Visible papers, newest on arXiv first (no date last), keyset-paged: `after` is the
        (published_at, arxiv_id) of the last paper of the previous page. A keyset, not an
        offset, so a deep page costs what the first one does and new papers don't shift it."""
        query = sa.select(*PAPER_COLUMNS).where(papers.c.hidden == sa.false())
        if after is not None:
            published, arxiv_id = after
            if published is None:
                query = query.where(papers.c.published_at.is_(None), papers.c.arxiv_id < arxiv_id)
            else:
                query = query.where(
                    sa.or_(
                        papers.c.published_at < published,
                        sa.and_(papers.c.published_at == published, papers.c.arxiv_id < arxiv_id),
                        papers.c.published_at.is_(None),
                    )
                )
        query = query.order_by(
            papers.c.published_at.desc().nulls_last(), papers.c.arxiv_id.desc()
        ).limit(limit)
        with self.db.read() as conn:
            return [paper_from_row(row) for row in conn.execute(query)]

    def count(self) -> int:
        with self.db.read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()

    def entries_for(self, arxiv_id: str) -> list[DailyEntry]:
        query = (
            sa.select(daily_entries)
            .where(daily_entries.c.arxiv_id == arxiv_id)
            .order_by(daily_entries.c.day)
        )
        with self.db.read() as conn:
            return [_entry_from_row(r) for r in conn.execute(query)]

    def first_entries(self, ids: Sequence[str]) -> dict[str, DailyEntry]:
        """Each paper's first feature (its earliest featured entry), for papers that have one;
        a paper only listed on arXiv gets its first listing."""
        found: dict[str, DailyEntry] = {}
        for chunk in _chunks(sorted(set(ids)), 10_000):
            query = (
                sa.select(daily_entries)
                .where(daily_entries.c.arxiv_id.in_(list(chunk)))
                .order_by(
                    daily_entries.c.arxiv_id,
                    sa.case((daily_entries.c.source == LISTED, 1), else_=0),
                    daily_entries.c.day,
                )
            )
            with self.db.read() as conn:
                for row in conn.execute(query):
                    found.setdefault(row.arxiv_id, _entry_from_row(row))
        return found

    # --- feeds ---------------------------------------------------------------------------
    def latest_day(self, *, listed: bool | None = None) -> date | None:
        """The latest day with featured papers (`listed=True`: listed ones). With `None`, the
        latest featured day, or the latest listed day where nothing was ever featured (an
        instance that only ingests arXiv)."""
        if listed is None:
            return self.latest_day(listed=False) or self.latest_day(listed=True)
        with self.db.read() as conn:
            return conn.execute(
                sa.select(sa.func.max(daily_entries.c.day)).where(
                    daily_entries.c.hidden == sa.false(), _kind(listed)
                )
            ).scalar()

    def neighbour_days(
        self, day: date, until: date | None = None
    ) -> tuple[date | None, date | None]:
        """The closest days with papers before `day` and after `until` (default: `day`).

        Empty days are skipped, so previous/next links never lead to an empty page.
        """
        until = day if until is None else until
        visible = daily_entries.c.hidden == sa.false()
        with self.db.read() as conn:
            before = conn.execute(
                sa.select(sa.func.max(daily_entries.c.day)).where(
                    daily_entries.c.day < day, visible
                )
            ).scalar()
            after = conn.execute(
                sa.select(sa.func.min(daily_entries.c.day)).where(
                    daily_entries.c.day > until, visible
                )
            ).scalar()
        return before, after

    def _period_entries(
        self, start: date, end: date, submitter: str | None, listed: bool = False
    ) -> sa.Subquery:
        """One visible entry per paper in [start, end]: the first day it was featured (or,
        with `listed`, listed on arXiv)."""
        # One day is an equality, not a range: that lets SQLite walk the rank index in page
        # order (a range made it sort the whole day: 10 ms instead of 0.2 ms at 1M papers).
        days = (
            [daily_entries.c.day == start]
            if start == end
            else [daily_entries.c.day >= start, daily_entries.c.day <= end]
        )
        where = [*days, daily_entries.c.hidden == sa.false(), _kind(listed)]
        if submitter is not None:
            where.append(daily_entries.c.submitted_by == submitter)
        if start == end:
            return sa.select(daily_entries).where(*where).subquery("e")
        first = (
            sa.select(daily_entries.c.arxiv_id, sa.func.min(daily_entries.c.day).label("day"))
            .where(*where)
            .group_by(daily_entries.c.arxiv_id)
            .subquery("first")
        )
        return (
            sa.select(daily_entries)
            .join(
                first,
                sa.and_(
                    first.c.arxiv_id == daily_entries.c.arxiv_id, first.c.day == daily_entries.c.day
                ),
            )
            .subquery("e")
        )

    def listing(
        self,
        start: date,
        end: date,
        *,
        order: str,
        limit: int,
        offset: int,
        submitter: str | None = None,
        listed: bool = False,
    ) -> tuple[list[ListingItem], int]:
        """A page of the papers featured in [start, end], and how many there are in all.

        `order` is "upvotes" (the default page order: most upvoted first, newer papers first
        on ties, as Hugging Face orders a day) or "published" (newest arXiv paper first).
        The entries' copied sort keys let a single day's page come straight off an index.
        """
        e = self._period_entries(start, end, submitter, listed)
        if order == "published":
            ordering = [e.c.published_at.desc(), e.c.arxiv_id.desc()]
        else:
            ordering = [e.c.upvotes.desc(), e.c.published_at.desc(), e.c.arxiv_id.desc()]
        page = sa.select(e).order_by(*ordering).limit(limit).offset(offset).subquery("page")
        query = (
            sa.select(
                *PAPER_COLUMNS,
                page.c.day,
                page.c.submitted_by,
                page.c.submitted_at,
                page.c.source,
                page.c.hf_item,
            )
            .select_from(page.join(papers, papers.c.arxiv_id == page.c.arxiv_id))
            .order_by(*[_reorder(page, o) for o in ordering])
        )
        count = sa.select(sa.func.count()).select_from(e)
        with self.db.read() as conn:
            items = [item_from_row(r) for r in conn.execute(query)]
            total = conn.execute(count).scalar_one()
        return items, total

    def listing_candidates(
        self, start: date, end: date, *, submitter: str | None = None, listed: bool = False
    ) -> list[tuple[str, int, datetime]]:
        """(arxiv_id, upvotes, featured-at) for every visible paper in [start, end].

        Light rows for orders computed outside SQL (trending), a few thousand at most.
        """
        e = self._period_entries(start, end, submitter, listed)
        query = sa.select(e.c.arxiv_id, e.c.upvotes, e.c.submitted_at, e.c.day)
        with self.db.read() as conn:
            return [
                (
                    r.arxiv_id,
                    r.upvotes,
                    as_utc(r.submitted_at)
                    or datetime(r.day.year, r.day.month, r.day.day, tzinfo=UTC),
                )
                for r in conn.execute(query)
            ]

    def listing_items(
        self, start: date, end: date, ids: Sequence[str], *, listed: bool = False
    ) -> dict[str, ListingItem]:
        """Feed rows for chosen papers of a period (after ordering them elsewhere)."""
        e = self._period_entries(start, end, None, listed)
        query = (
            sa.select(
                *PAPER_COLUMNS,
                e.c.day,
                e.c.submitted_by,
                e.c.submitted_at,
                e.c.source,
                e.c.hf_item,
            )
            .select_from(e.join(papers, papers.c.arxiv_id == e.c.arxiv_id))
            .where(e.c.arxiv_id.in_(list(ids)))
        )
        with self.db.read() as conn:
            return {r.arxiv_id: item_from_row(r) for r in conn.execute(query)}


def sync_sort_keys(conn: Connection, ids: Sequence[str]) -> None:
    """Copy upvotes, published date and visibility from papers to their daily entries.

    Every write that changes a paper's upvotes (imports, votes), its date or its visibility
    calls this in the same transaction, so the copied sort keys are never stale.
    """
    unique = sorted(set(ids))
    if not unique:
        return
    paper = papers.alias("p")

    def from_paper(expr: sa.ColumnElement) -> sa.ScalarSelect:
        return sa.select(expr).where(paper.c.arxiv_id == daily_entries.c.arxiv_id).scalar_subquery()

    for chunk in _chunks(unique, 10_000):
        conn.execute(
            daily_entries.update()
            .where(daily_entries.c.arxiv_id.in_(list(chunk)))
            .values(
                upvotes=from_paper(paper.c.external_upvotes + paper.c.local_upvotes),
                published_at=from_paper(paper.c.published_at),
                hidden=from_paper(paper.c.hidden),
            )
        )


def _kind(listed: bool) -> sa.ColumnElement[bool]:
    """Entries listed on arXiv, or (the default) featured ones."""
    source = daily_entries.c.source
    return source == LISTED if listed else source != LISTED


def _entry_from_row(row: Row) -> DailyEntry:
    return DailyEntry(
        arxiv_id=row.arxiv_id,
        day=row.day,
        source=row.source,
        submitted_by=row.submitted_by,
        submitted_at=as_utc(row.submitted_at),
        position=row.position,
        hf_item=row._mapping.get("hf_item"),
    )


def item_from_row(row: Row) -> ListingItem:
    return ListingItem(
        paper=paper_from_row(row),
        day=row.day,
        submitted_by=row.submitted_by,
        submitted_at=as_utc(row.submitted_at),
        source=row.source,
        hf_item=row._mapping.get("hf_item"),
    )


def _reorder(page: sa.Subquery, clause: sa.UnaryExpression) -> sa.UnaryExpression:
    """The same ORDER BY term, on the page subquery's column of the same name."""
    return page.c[clause.element.name].desc()
