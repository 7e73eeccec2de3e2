"""Domain objects in the JSON shape of Hugging Face's papers API.

Pure functions over the same domain objects the presenters shape (`dailypapers.presenters`):
this is the one deliberate second shape, for clients of Hugging Face's API.
Keys whose value is unknown are left out, as HF leaves them out (a paper without code has no
`githubRepo` key rather than `"githubRepo": null`); keys HF always sends are always sent.

What an HF import gave is sent back verbatim (`Paper.hf_fields`, `ListingItem.hf_item`): the
author objects with their `_id`, `hidden` and claims, the submitter and organisation objects
(`_id`, `fullname`, `avatarUrl`, `isPro`...), `discussionId`, `mediaUrls`, the thumbnail,
`ai_summary_model`, `githubRepoAddedBy`, `isAuthorParticipating`, the exact timestamps, and
the title and summary with HF's line breaks. A verbatim value is used only while it still
describes what we hold (the same author names, the same submitter, the same text once
whitespace is folded); otherwise, and for papers that never came from HF, the value is built
from our own data:
- `discussionId` is the arXiv id, which our comment routes take;
- the top-level `publishedAt` of a daily item is the paper's publication time (what HF sends
  there today), else the time it was featured;
- an item imported from an HF response without a top-level `summary` (2024) gets none.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from dailypapers.domain.papers import DailyEntry, ListingItem, Paper
from dailypapers.presenters.listing_items import featured_at


def iso_ms(value: datetime) -> str:
    """`2025-07-23T17:57:09.000Z`: UTC, milliseconds, a `Z`, as HF writes timestamps."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _folded(text: Any) -> str | None:
    return " ".join(text.split()) if isinstance(text, str) else None


def _as_sent(verbatim: Any, ours: str) -> str:
    """HF's text (its line breaks kept) while it says what ours says; else ours."""
    return verbatim if _folded(verbatim) == _folded(ours) else ours


def _authors(paper: Paper) -> list[dict[str, Any]]:
    sent = (paper.hf_fields or {}).get("authors")
    if (
        isinstance(sent, list)
        and all(isinstance(a, dict) for a in sent)
        and [_folded(a.get("name")) for a in sent] == [_folded(n) for n in paper.authors]
    ):
        return sent
    return [{"name": name} for name in paper.authors]


def _user(sent: Any, username: str | None, built: tuple[str, str]) -> dict[str, Any] | None:
    """A submitter as HF sent it while it names our submitter; else built from the username."""
    if not username:
        return None
    if isinstance(sent, dict) and username in (sent.get("user"), sent.get("name")):
        return sent
    return dict.fromkeys(built, username)


def _organization(paper: Paper, sent: Any) -> dict[str, Any] | None:
    if isinstance(sent, dict) and paper.organization in (sent.get("name"), sent.get("fullname")):
        return sent
    return {"name": paper.organization} if paper.organization else None


def paper_object(
    paper: Paper,
    *,
    submitted_at: datetime | None = None,
    submitted_by: str | None = None,
) -> dict[str, Any]:
    """HF's `paper` object (also the body of `/api/papers/{id}`)."""
    hf = paper.hf_fields or {}
    obj: dict[str, Any] = {"id": paper.arxiv_id, "authors": _authors(paper)}
    if isinstance(hf.get("mediaUrls"), list):
        obj["mediaUrls"] = hf["mediaUrls"]
    if paper.published_at is not None:
        precise = hf.get("publishedAt")
        ours = iso_ms(paper.published_at)
        obj["publishedAt"] = precise if _same_day(precise, ours) else ours
    if submitted_at is not None:
        obj["submittedOnDailyAt"] = iso_ms(submitted_at)
    obj["title"] = _as_sent(hf.get("title"), paper.title)
    if by := _user(hf.get("submittedOnDailyBy"), submitted_by, ("user", "name")):
        obj["submittedOnDailyBy"] = by
    obj["summary"] = _as_sent(hf.get("summary"), paper.abstract)
    obj["upvotes"] = paper.upvotes
    obj["discussionId"] = hf.get("discussionId") or paper.arxiv_id
    optional = {
        "projectPage": paper.project_page,
        "githubRepo": paper.github_repo,
        "githubRepoAddedBy": hf.get("githubRepoAddedBy") if paper.github_repo else None,
        "ai_summary": paper.ai_summary,
        "ai_keywords": paper.ai_keywords,
        "ai_summary_model": hf.get("ai_summary_model") if paper.ai_summary else None,
        "githubStars": paper.github_stars,
        "organization": _organization(paper, hf.get("organization")),
    }
    obj.update({key: value for key, value in optional.items() if value is not None})
    return obj


def _same_day(sent: Any, ours: str) -> bool:
    """HF's precise timestamp is kept while a later record only knows the same day."""
    return isinstance(sent, str) and sent[:10] == ours[:10]


def paper_from_entries(paper: Paper, entries: list[DailyEntry]) -> dict[str, Any]:
    """The `paper` object for a paper page: daily submission details from its first feature
    (a day it was only listed on arXiv counts only when it was never featured)."""
    featured = [e for e in entries if e.source != "arxiv"] or entries
    first = featured[0] if featured else None
    return paper_object(
        paper,
        submitted_at=featured_at(first.day, first.submitted_at) if first else None,
        submitted_by=first.submitted_by if first else None,
    )


def daily_item(item: ListingItem) -> dict[str, Any]:
    """One element of HF's `/api/daily_papers` list."""
    paper = item.paper
    sent = item.hf_item or {}
    featured = featured_at(item.day, item.submitted_at)
    paper_obj = paper_object(paper, submitted_at=featured, submitted_by=item.submitted_by)
    published = sent.get("publishedAt")
    if not isinstance(published, str):
        published = iso_ms(paper.published_at or featured)
    obj: dict[str, Any] = {
        "paper": paper_obj,
        "publishedAt": published,
        "title": _as_sent(sent.get("title"), paper.title),
    }
    # HF's 2024 items had no top-level summary; huggingface_hub prefers a top-level one to
    # the paper's, so sending our folded copy would change what the client reads.
    if not sent or "summary" in sent:
        obj["summary"] = _as_sent(sent.get("summary"), paper.abstract)
    if isinstance(sent.get("mediaUrls"), list):
        obj["mediaUrls"] = sent["mediaUrls"]
    if isinstance(sent.get("mediaUrl"), str):
        obj["mediaUrl"] = sent["mediaUrl"]
    if paper.thumbnail:
        obj["thumbnail"] = paper.thumbnail
    obj["numComments"] = paper.comments
    obj["submittedBy"] = _user(sent.get("submittedBy"), item.submitted_by, ("name", "fullname"))
    if organization := _organization(paper, sent.get("organization")):
        obj["organization"] = organization
    participating = sent.get("isAuthorParticipating")
    obj["isAuthorParticipating"] = participating if isinstance(participating, bool) else False
    return obj


def search_item(paper: Paper, first: DailyEntry | None = None) -> dict[str, Any]:
    """One element of HF's `/api/papers/search` list; `first` is the paper's first feature."""
    featured = featured_at(first.day, first.submitted_at) if first else None
    by = first.submitted_by if first else None
    sent = (first.hf_item if first else None) or {}
    obj: dict[str, Any] = {"paper": paper_object(paper, submitted_at=featured, submitted_by=by)}
    if paper.published_at is not None:
        obj["publishedAt"] = iso_ms(paper.published_at)
    obj["title"] = _as_sent(sent.get("title"), paper.title)
    obj["summary"] = _as_sent(sent.get("summary"), paper.abstract)
    if paper.thumbnail:
        obj["thumbnail"] = paper.thumbnail
    obj["numComments"] = paper.comments
    if submitter := _user(sent.get("submittedBy"), by, ("name", "fullname")):
        obj["submittedBy"] = submitter
    if organization := _organization(paper, sent.get("organization")):
        obj["organization"] = organization
    participating = sent.get("isAuthorParticipating")
    obj["isAuthorParticipating"] = participating if isinstance(participating, bool) else False
    return obj


def link_header(url: str, params: dict[str, str], page: int, pages: int) -> str | None:
    """RFC 8288 `Link` to the next and previous pages of a list (absolute URLs), or None."""
    links = []
    for rel, number in (("prev", page - 1), ("next", page + 1)):
        if 0 <= number < pages:
            query = urlencode({**params, "p": str(number)})
            links.append(f'<{url}?{query}>; rel="{rel}"')
    return ", ".join(links) or None


# --- errors --------------------------------------------------------------------------------
# Hugging Face answers errors on its papers routes as `{"error": "message"}`, and its client
# shows that string; our `{"error": {"code", "message"}}` reached users as a printed dict.
# Those routes answer in HF's shape (with our `code` beside it); our own routes keep theirs.
_HF_ROUTES = ("/api/daily_papers", "/api/papers/search", "/api/papers")
_OUR_SUBROUTES = ("/comments", "/upvote", "/index")


def is_hf_route(path: str) -> bool:
    """`/api/daily_papers`, `/api/papers/search`, `/api/papers[/{id}]`, not our community ones."""
    path = path.rstrip("/")
    if path in _HF_ROUTES:
        return True
    return path.startswith("/api/papers/") and not path.endswith(_OUR_SUBROUTES)


def hf_error(code: str, message: str) -> dict[str, str]:
    return {"error": message, "code": code}
