"""A paper as an Atom entry: what `web/atom.py` writes as XML.

Ids are `tag:` URIs (RFC 4151) from the `feed_tag_authority` setting: `tag:AUTHORITY:paper/ID`,
the same in every feed and every run. `updated` comes from the data (when the paper was
featured or published), never from the clock. The summary is the abstract, then why the
paper is in this feed, as the digest mails say it (`Reason.describe`). Feed readers show
text, so title and summary have their TeX cleaned (`domain.tex.to_plain`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dailypapers.domain import tex
from dailypapers.domain.arxiv_ids import abs_url, pdf_url
from dailypapers.domain.digests import Reason
from dailypapers.domain.papers import Paper
from dailypapers.presenters.papers import paper_url

MAX_AUTHORS = 50


def rfc3339(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(authority: str, specific: str) -> str:
    return f"tag:{authority}:{specific}"


def atom_entry(
    paper: Paper,
    updated: datetime,
    reason: Reason | None,
    *,
    site_root: str,
    authority: str,
) -> dict[str, Any]:
    authors = list(paper.authors[:MAX_AUTHORS])
    if len(paper.authors) > MAX_AUTHORS:
        authors.append(f"and {len(paper.authors) - MAX_AUTHORS} more")
    summary = tex.to_plain(paper.abstract)
    if reason is not None:
        summary = f"{summary}\n\n({reason.describe()})" if summary else reason.describe()
    return {
        "id": tag_uri(authority, f"paper/{paper.arxiv_id}"),
        "title": tex.to_plain(" ".join(paper.title.split())),
        "updated": rfc3339(updated),
        "published": rfc3339(paper.published_at) if paper.published_at else None,
        "links": [
            {
                "rel": "alternate",
                "href": site_root + paper_url(paper.arxiv_id),
                "type": "text/html",
            },
            {"rel": "related", "href": abs_url(paper.arxiv_id), "type": "text/html"},
            {"rel": "related", "href": pdf_url(paper.arxiv_id), "type": "application/pdf"},
        ],
        "authors": authors,
        "categories": list(paper.categories),
        "summary": summary,
    }
