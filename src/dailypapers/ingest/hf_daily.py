"""Hugging Face Daily Papers: `/api/daily_papers` responses, and JSONL rows of the same data.

Two input shapes are accepted:
- an API item: `{"paper": {"id", "title", "summary", "authors": [{"name"}], "upvotes",
  "submittedOnDailyAt", "submittedOnDailyBy", "githubRepo", ...}, "publishedAt",
  "numComments", "submittedBy", ...}`;
- a flat row (../shared/data/hf_daily_papers): `{"date", "arxiv_id", "title", "authors",
  "abstract", "upvotes", "num_comments", "published_at", "submitted_on_daily_at",
  "submitted_by", "organization", "github_repo", "github_stars", "project_page", ...}`, and
  optionally `categories` (HF has none; the bundled demo rows carry the arXiv listings' ones,
  tools/make_demo_data.py).

The day a paper is featured on is HF's daily date: `paper.submittedOnDailyAt` where present,
else the item's top-level `publishedAt` (older responses), or the row's `date`. HF upvotes
become `external_upvotes`, kept apart from votes cast here.

HF's own fields that the domain does not model (author objects with `_id`/`hidden`/claims,
the submitter and organisation objects, `discussionId`, media, `ai_summary_model`, the exact
`publishedAt`, title and summary as sent) are kept verbatim in `Paper.hf_fields` and
`DailyEntry.hf_item` (`PAPER_VERBATIM`, `ITEM_VERBATIM`), so the HF-shaped API can send
them back unchanged.
"""

from __future__ import annotations

from typing import Any

from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.errors import RecordError
from dailypapers.ingest import fields as f
from dailypapers.ingest.fields import RecordLimits

# Keys of an API item's `paper` object and of the item itself kept as HF sent them.
PAPER_VERBATIM = (
    "authors",
    "publishedAt",
    "title",
    "summary",
    "discussionId",
    "mediaUrls",
    "submittedOnDailyBy",
    "organization",
    "ai_summary_model",
    "githubRepoAddedBy",
)
ITEM_VERBATIM = (
    "publishedAt",
    "title",
    "summary",
    "thumbnail",
    "mediaUrl",
    "mediaUrls",
    "submittedBy",
    "organization",
    "isAuthorParticipating",
)


def _verbatim(obj: dict, keys: tuple[str, ...], max_authors: int) -> dict[str, Any] | None:
    kept = {key: obj[key] for key in keys if obj.get(key) is not None}
    if isinstance(kept.get("authors"), list):
        kept["authors"] = kept["authors"][:max_authors]
    return kept or None


def parse_hf_record(obj: Any, limits: RecordLimits, position: int | None = None) -> SourceRecord:
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    if "paper" in obj:
        return _from_api_item(obj, limits, position)
    if "arxiv_id" in obj:
        return _from_row(obj, limits, position)
    raise RecordError("neither an HF API item (no 'paper') nor a daily-papers row (no 'arxiv_id')")


def _user_name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("user")
    if not isinstance(value, str) or not value:
        return None
    return f.storable(value, "submitter")


def _organization(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("fullname")
    return f.optional_text(value, "organization", 200)


def _from_api_item(item: dict, limits: RecordLimits, position: int | None) -> SourceRecord:
    paper = item["paper"]
    if not isinstance(paper, dict):
        raise RecordError("'paper' must be an object")
    pid = f.arxiv_id(paper.get("id"), "paper.id")
    submitted_at = f.timestamp(paper.get("submittedOnDailyAt"), "paper.submittedOnDailyAt")
    top_published = f.timestamp(item.get("publishedAt"), "publishedAt")
    featured = submitted_at or top_published
    if featured is None:
        raise RecordError("no featured date (paper.submittedOnDailyAt or publishedAt)")
    record = Paper(
        arxiv_id=pid.base,
        version=pid.version,
        title=f.clean_text(
            item.get("title") or paper.get("title"), "title", limit=limits.max_title_chars
        ),
        abstract=f.clean_text(
            paper.get("summary") or item.get("summary"),
            "summary",
            limit=limits.max_abstract_chars,
            required=False,
        ),
        authors=f.authors(paper.get("authors"), limit=limits.max_authors),
        published_at=f.timestamp(paper.get("publishedAt"), "paper.publishedAt"),
        github_repo=f.url(paper.get("githubRepo"), "githubRepo"),
        github_stars=f.count(paper.get("githubStars"), "githubStars"),
        project_page=f.url(paper.get("projectPage"), "projectPage"),
        organization=_organization(paper.get("organization") or item.get("organization")),
        # 2024 responses name the thumbnail `mediaUrl`
        thumbnail=f.url(item.get("thumbnail") or item.get("mediaUrl"), "thumbnail"),
        ai_summary=f.optional_text(paper.get("ai_summary"), "ai_summary", 5000),
        ai_keywords=f.keywords(paper.get("ai_keywords")),
        external_upvotes=f.count(paper.get("upvotes"), "paper.upvotes"),
        external_comments=f.count(item.get("numComments"), "numComments"),
        hf_fields=_verbatim(paper, PAPER_VERBATIM, limits.max_authors),
    )
    submitter = _user_name(item.get("submittedBy")) or _user_name(paper.get("submittedOnDailyBy"))
    entry = DailyEntry(
        arxiv_id=pid.base,
        day=featured.date(),
        source="hf",
        submitted_by=submitter,
        submitted_at=submitted_at or top_published,
        position=position,
        hf_item=_verbatim(item, ITEM_VERBATIM, limits.max_authors),
    )
    return SourceRecord(record, [entry])


def _from_row(row: dict, limits: RecordLimits, position: int | None) -> SourceRecord:
    pid = f.arxiv_id(row.get("arxiv_id"), "arxiv_id")
    featured_day = f.day(row.get("date"), "date")
    submitted_at = f.timestamp(row.get("submitted_on_daily_at"), "submitted_on_daily_at")
    record = Paper(
        arxiv_id=pid.base,
        version=pid.version,
        title=f.clean_text(row.get("title"), "title", limit=limits.max_title_chars),
        abstract=f.clean_text(
            row.get("abstract"), "abstract", limit=limits.max_abstract_chars, required=False
        ),
        authors=f.authors(row.get("authors"), limit=limits.max_authors),
        categories=f.categories(row.get("categories")),
        published_at=f.timestamp(row.get("published_at"), "published_at"),
        github_repo=f.url(row.get("github_repo"), "github_repo"),
        github_stars=f.count(row.get("github_stars"), "github_stars"),
        project_page=f.url(row.get("project_page"), "project_page"),
        organization=_organization(row.get("organization")),
        thumbnail=f.url(row.get("thumbnail"), "thumbnail"),
        ai_summary=f.optional_text(row.get("ai_summary"), "ai_summary", 5000),
        ai_keywords=f.keywords(row.get("ai_keywords")),
        external_upvotes=f.count(row.get("upvotes"), "upvotes"),
        external_comments=f.count(row.get("num_comments"), "num_comments"),
    )
    entry = DailyEntry(
        arxiv_id=pid.base,
        day=featured_day,
        source="hf",
        submitted_by=_user_name(row.get("submitted_by")),
        submitted_at=submitted_at,
        position=position,
    )
    return SourceRecord(record, [entry])
