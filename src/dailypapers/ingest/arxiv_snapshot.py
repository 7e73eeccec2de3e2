"""arXiv metadata snapshots in JSON Lines, in two schemas.

- Kaggle's "arxiv-metadata-oai-snapshot": `{"id", "title", "authors": "A, B and C",
  "abstract", "categories": "cs.CL cs.LG", "comments", "journal-ref", "doi",
  "versions": [{"version": "v1", "created": RFC 2822}], "update_date", "authors_parsed"}`.
  A paper is featured on the day its first version was submitted.
- Daily listing rows (../shared/data/arxiv_daily_cs): `{"id", "title", "authors": [...],
  "abstract", "categories": [...], "comment", "first_listed", "listed_dates"}`. A paper is
  featured on `first_listed`, the day it appeared in arXiv's 'new' listing; with no submission
  time in these rows, that day is also its published date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.errors import RecordError
from dailypapers.ingest import fields as f
from dailypapers.ingest.fields import RecordLimits


def parse_snapshot_record(
    obj: Any, limits: RecordLimits, *, feature: bool = True, position: int | None = None
) -> SourceRecord:
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    pid = f.arxiv_id(obj.get("id"), "id")
    title = f.clean_text(obj.get("title"), "title", limit=limits.max_title_chars)
    abstract = f.clean_text(
        obj.get("abstract"), "abstract", limit=limits.max_abstract_chars, required=False
    )
    paper_authors = _authors(obj, limits)
    versions = obj.get("versions")
    if versions is not None:  # Kaggle schema
        published, updated, latest = _versions(versions)
        featured_day = published.date() if published else None
        comment, comment_field = obj.get("comments"), "comments"
    else:
        featured_day = (
            f.day(obj.get("first_listed"), "first_listed") if obj.get("first_listed") else None
        )
        published = (
            datetime(featured_day.year, featured_day.month, featured_day.day, tzinfo=UTC)
            if featured_day
            else None
        )
        updated, latest = None, None
        comment, comment_field = obj.get("comment"), "comment"
    paper = Paper(
        arxiv_id=pid.base,
        version=latest or pid.version,
        title=title,
        abstract=abstract,
        authors=paper_authors,
        categories=f.categories(obj.get("categories")),
        published_at=published,
        updated_at=updated,
        comment=f.optional_text(comment, comment_field),
        doi=f.optional_text(obj.get("doi"), "doi", 300),
        journal_ref=f.optional_text(obj.get("journal-ref"), "journal-ref", 1000),
    )
    entries = []
    if feature and featured_day is not None:
        entries.append(DailyEntry(pid.base, featured_day, "arxiv", position=position))
    return SourceRecord(paper, entries)


def _authors(obj: dict, limits: RecordLimits) -> list[str]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for part in parsed:
            if isinstance(part, list) and part and all(isinstance(p, str) for p in part):
                last, first = part[0], part[1] if len(part) > 1 else ""
                suffix = part[2] if len(part) > 2 else ""
                name = " ".join(p for p in (first, last, suffix) if p).strip()
                names.append(f.storable(name, "authors_parsed"))
        return [n for n in names if n][: limits.max_authors]
    return f.authors(obj.get("authors"), limit=limits.max_authors)


def _versions(versions: Any) -> tuple[datetime | None, datetime | None, int | None]:
    if not isinstance(versions, list) or not versions:
        raise RecordError("versions must be a non-empty list")
    stamps: list[tuple[int, datetime | None]] = []
    for item in versions:
        if not isinstance(item, dict):
            raise RecordError("each version must be an object")
        label = str(item.get("version", "")).lstrip("v")
        if not label.isdigit():
            raise RecordError(f"bad version label {item.get('version')!r}")
        stamps.append((int(label), f.timestamp(item.get("created"), "versions.created")))
    stamps.sort(key=lambda s: s[0])
    return stamps[0][1], stamps[-1][1], stamps[-1][0]
