"""The paper and its appearances on daily pages, as the rest of the system sees them.

A `Paper` is keyed by its arXiv id without version; `version` is the newest we know. A
`DailyEntry` says a paper was *featured* on a day (Hugging Face's daily date, an arXiv listing
day, or a local submission); a paper may be featured on several days. Upvotes come from two
places kept apart: `external_upvotes` (counted elsewhere, e.g. on Hugging Face) and
`local_upvotes` (votes cast here); pages show their sum.

`Paper.hf_fields` and `DailyEntry.hf_item` keep Hugging Face's own fields as an import gave
them, verbatim (author and submitter objects with their `_id`s, `discussionId`, media,
precise timestamps...), so the HF-shaped API can send them back unchanged: nothing here
interprets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Literal

EntrySource = Literal["hf", "arxiv", "local"]


@dataclass(slots=True)
class Paper:
    arxiv_id: str
    title: str
    abstract: str
    authors: list[str] = field(default_factory=list)
    version: int | None = None
    categories: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str | None = None
    thumbnail: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    external_upvotes: int | None = None
    external_comments: int | None = None
    hf_fields: dict[str, Any] | None = None
    local_upvotes: int = 0
    local_comments: int = 0  # visible comments written here

    @property
    def upvotes(self) -> int:
        return (self.external_upvotes or 0) + self.local_upvotes

    @property
    def comments(self) -> int:
        """Comments counted like upvotes: Hugging Face's plus ours."""
        return (self.external_comments or 0) + self.local_comments

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


# Fields a source may know; the rest (local_upvotes, local_comments) are ours.
# Used to merge records.
SOURCE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Paper) if f.name not in ("local_upvotes", "local_comments")
)


@dataclass(slots=True, frozen=True)
class DailyEntry:
    """A paper featured on a day."""

    arxiv_id: str
    day: date
    source: EntrySource
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    position: int | None = None
    hf_item: dict[str, Any] | None = field(default=None, hash=False)


@dataclass(slots=True)
class SourceRecord:
    """What an importer yields for one input record: the paper and the days it is featured."""

    paper: Paper
    entries: list[DailyEntry] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class ListingItem:
    """One row of a daily/weekly/monthly page."""

    paper: Paper
    day: date
    submitted_by: str | None
    submitted_at: datetime | None
    source: EntrySource
    hf_item: dict[str, Any] | None = field(default=None, hash=False)


@dataclass(slots=True, frozen=True)
class ListingPage:
    items: list[ListingItem]
    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


def merge_paper(old: Paper, new: Paper) -> Paper:
    """What the stored paper becomes when `new` arrives: known values are never erased.

    A value the new record lacks (None, or an empty list) keeps the stored one. Text that
    changes between versions (title, abstract, authors) is taken from whichever record has the
    newer version, so an old snapshot imported late can't roll a paper back.
    """
    merged = Paper(**{name: getattr(old, name) for name in (f.name for f in fields(Paper))})
    new_is_older = old.version is not None and new.version is not None and new.version < old.version
    versioned = {"title", "abstract", "authors", "version", "updated_at", "comment"}
    for name in SOURCE_FIELDS:
        value = getattr(new, name)
        if value is None or value == [] or value == "":
            continue
        if new_is_older and name in versioned:
            continue
        if name == "hf_fields":  # key by key: a later, smaller record keeps the rest
            value = {**(old.hf_fields or {}), **value}
        if name == "published_at" and _coarser(value, old.published_at):
            continue
        setattr(merged, name, value)
    return merged


def _is_date_only(value: datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def _coarser(new: datetime, old: datetime | None) -> bool:
    """A bare date (midnight) arriving over a time of day: an arXiv listing row says only the
    day a paper was listed, often the day after HF's precise `publishedAt`; keep the time."""
    return old is not None and _is_date_only(new) and not _is_date_only(old)
