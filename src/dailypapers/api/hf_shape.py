"""Domain objects in the JSON shape of Hugging Face's papers API.

Pure functions over the same domain objects the presenters shape (`dailypapers.presenters`):
this is the one deliberate second shape, for clients of Hugging Face's API.
Keys whose value is unknown are left out, as HF leaves them out (a paper without code has no
`githubRepo` key rather than `"githubRepo": null`); keys HF always sends are always sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dailypapers.domain.papers import DailyEntry, FeedItem, Paper
from dailypapers.presenters.feed_items import featured_at


def iso_ms(value: datetime) -> str:
    """`2025-07-23T17:57:09.000Z`: UTC, milliseconds, a `Z`, as HF writes timestamps."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def paper_object(
    paper: Paper,
    *,
    submitted_at: datetime | None = None,
    submitted_by: str | None = None,
) -> dict[str, Any]:
    """HF's `paper` object (also the body of `/api/papers/{id}`)."""
    obj: dict[str, Any] = {
        "id": paper.arxiv_id,
        "authors": [{"name": name} for name in paper.authors],
    }
    if paper.published_at is not None:
        obj["publishedAt"] = iso_ms(paper.published_at)
    if submitted_at is not None:
        obj["submittedOnDailyAt"] = iso_ms(submitted_at)
    obj["title"] = paper.title
    if submitted_by:
        obj["submittedOnDailyBy"] = {"user": submitted_by, "name": submitted_by}
    obj["summary"] = paper.abstract
    obj["upvotes"] = paper.upvotes
    optional = {
        "githubRepo": paper.github_repo,
        "githubStars": paper.github_stars,
        "projectPage": paper.project_page,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
    }
    obj.update({key: value for key, value in optional.items() if value is not None})
    if paper.organization:
        obj["organization"] = {"name": paper.organization}
    return obj


def paper_from_entries(paper: Paper, entries: list[DailyEntry]) -> dict[str, Any]:
    """The `paper` object for a paper page: daily submission details from its first feature."""
    first = entries[0] if entries else None
    return paper_object(
        paper,
        submitted_at=featured_at(first.day, first.submitted_at) if first else None,
        submitted_by=first.submitted_by if first else None,
    )


def daily_item(item: FeedItem) -> dict[str, Any]:
    """One element of HF's `/api/daily_papers` list."""
    paper = item.paper
    featured = featured_at(item.day, item.submitted_at)
    obj: dict[str, Any] = {
        "paper": paper_object(paper, submitted_at=featured, submitted_by=item.submitted_by),
        "publishedAt": iso_ms(featured),
        "title": paper.title,
        "summary": paper.abstract,
    }
    if paper.thumbnail:
        obj["thumbnail"] = paper.thumbnail
    obj["numComments"] = paper.external_comments or 0
    obj["submittedBy"] = (
        {"name": item.submitted_by, "fullname": item.submitted_by} if item.submitted_by else None
    )
    if paper.organization:
        obj["organization"] = {"name": paper.organization}
    obj["isAuthorParticipating"] = False
    return obj


def search_item(paper: Paper) -> dict[str, Any]:
    """One element of HF's `/api/papers/search` list."""
    obj: dict[str, Any] = {"paper": paper_object(paper)}
    if paper.published_at is not None:
        obj["publishedAt"] = iso_ms(paper.published_at)
    obj["title"] = paper.title
    obj["summary"] = paper.abstract
    if paper.thumbnail:
        obj["thumbnail"] = paper.thumbnail
    obj["numComments"] = paper.external_comments or 0
    if paper.organization:
        obj["organization"] = {"name": paper.organization}
    obj["isAuthorParticipating"] = False
    return obj
