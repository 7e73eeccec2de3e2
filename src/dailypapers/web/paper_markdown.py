"""A paper as Markdown: `GET /papers/{id}.md`, and `Accept: text/markdown` on the paper page.

Hugging Face's client reads a paper this way (`HfApi.read_paper(id)` asks
`<endpoint>/papers/{id}.md` and returns the body as text), and so do LLM tools that want a
page without its HTML. The document holds what the paper page shows: title, authors, links,
abstract, the AI summary and keywords. This site holds no full text (papers are imported
from metadata: arXiv listings and HF's API), so none is sent; when a full-text column
exists, it goes under a `## Full text` heading here.

Titles and abstracts keep their LaTeX and are written as the source gave them, not escaped:
readers of Markdown typeset `$...$` themselves, and an escaped `\\_` would corrupt the math.

`MarkdownNegotiation` lets the paper page answer `Accept: text/markdown` without touching
the HTML route: a request for `/papers/{id}` that prefers Markdown to HTML is served as
`/papers/{id}.md`.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from dailypapers import deps
from dailypapers.domain.arxiv_ids import abs_url, parse_arxiv_id, pdf_url
from dailypapers.errors import InvalidArxivId
from dailypapers.services.listings import PaperView
from dailypapers.web.negotiation import accept_qualities

router = APIRouter(tags=["papers"])

MARKDOWN = "text/markdown; charset=utf-8"


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def _one_line(text: str) -> str:
    """arXiv wraps long titles over lines; a Markdown heading must be one line."""
    return " ".join(text.split())


def paper_markdown(view: PaperView, base_url: str) -> str:
    """The Markdown document of one paper (pure: the route and tests call it alike)."""
    paper = view.paper
    site_url = f"{base_url.rstrip('/')}/papers/{paper.arxiv_id}"
    lines = [f"# {_one_line(paper.title)}", ""]
    if paper.authors:
        lines += [f"**Authors:** {', '.join(paper.authors)}", ""]
    facts = [f"- arXiv: [{paper.arxiv_id}]({abs_url(paper.arxiv_id)})"]
    if published := _day(paper.published_at):
        facts.append(f"- Published: {published}")
    if view.entries:
        first = view.entries[0]
        by = f" by {first.submitted_by}" if first.submitted_by else ""
        facts.append(f"- Featured: {first.day.isoformat()}{by}")
    facts.append(f"- Upvotes: {paper.upvotes}")
    if paper.organization:
        facts.append(f"- Organization: {paper.organization}")
    if paper.categories:
        facts.append(f"- Categories: {', '.join(paper.categories)}")
    lines += [*facts, ""]

    links = [f"- [PDF]({pdf_url(paper.arxiv_id)})", f"- [Paper page]({site_url})"]
    if paper.github_repo:
        stars = f" ({paper.github_stars} stars)" if paper.github_stars is not None else ""
        links.append(f"- [Code]({paper.github_repo}){stars}")
    if paper.project_page:
        links.append(f"- [Project page]({paper.project_page})")
    if paper.doi:
        links.append(f"- [DOI](https://doi.org/{paper.doi})")
    lines += ["## Links", "", *links, ""]

    if paper.abstract:
        lines += ["## Abstract", "", paper.abstract.strip(), ""]
    if paper.ai_summary:
        lines += ["## AI summary", "", paper.ai_summary.strip(), ""]
    if paper.ai_keywords:
        lines += ["## Keywords", "", ", ".join(paper.ai_keywords), ""]
    if paper.comment:
        lines += ["## Comments", "", paper.comment.strip(), ""]
    return "\n".join(lines)


@router.get(
    "/papers/{arxiv_id:path}.md",
    summary="One paper as Markdown (Hugging Face's /papers/{id}.md, `read_paper`)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}, 404: {"description": "Unknown paper."}},
)
def paper_as_markdown(
    listings: deps.Listings, settings: deps.SiteSettings, arxiv_id: str
) -> Response:
    parsed = parse_arxiv_id(arxiv_id)
    view = listings.paper(parsed.base)
    return Response(
        paper_markdown(view, settings.base_url),
        media_type=MARKDOWN,
        headers={"vary": "Accept"},
    )


def prefers_markdown(accept: str) -> bool:
    """True when `text/markdown` is asked for and preferred to HTML (browsers never do)."""
    qualities = accept_qualities(accept)
    markdown_q = qualities.get("text/markdown", 0.0)
    html_q = max(qualities.get(m, 0.0) for m in ("text/html", "text/*", "*/*"))
    return markdown_q > 0 and markdown_q > html_q


class MarkdownNegotiation:
    """Serve `/papers/{id}` as `/papers/{id}.md` to a client that prefers Markdown."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and path.startswith("/papers/")
            and not path.endswith(".md")
            and _is_paper_id(path.removeprefix("/papers/"))
        ):
            accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
            if prefers_markdown(accept):
                scope = {**scope, "path": path + ".md", "raw_path": (path + ".md").encode()}
        await self.app(scope, receive, send)


def _is_paper_id(rest: str) -> bool:
    """`2405.15738` or `hep-th/9901001`, not `2405.15738/comments` (a community route)."""
    try:
        parse_arxiv_id(rest)
    except InvalidArxivId:
        return False
    return True
