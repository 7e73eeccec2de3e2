"""The arXiv API (`export.arxiv.org/api/query`, Atom 1.0): papers by category and date range.

One query per run, `(cat:A OR cat:B) AND submittedDate:[YYYYMMDD0000 TO YYYYMMDD2359]`,
sorted by submission date, paged with `start`/`max_results`; the polite 3 s between calls is
the HTTP client's per-host delay. Each entry is the paper's newest version: its `<id>` ends in
`vN`, `<published>` is when v1 was submitted and `<updated>` when vN was, so both versions are
recorded. A paper is featured (source "arxiv") on the UTC day its v1 was submitted.

The API sometimes answers a page with no entries although `totalResults` says there are more;
such a page is fetched again (it counts as a failed try) rather than ending the run early.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date

from dailypapers.domain.ingest import Page, PaperVersion
from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.errors import RecordError, SourceError
from dailypapers.ingest import fields as f
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.http import Fetched, HttpClient, MalformedPage
from dailypapers.ingest.xml_pages import child_text, parse_xml_page

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
_A, _X, _O = f"{{{ATOM}}}", f"{{{ARXIV}}}", f"{{{OPENSEARCH}}}"


def search_query(categories: Sequence[str], since: date, until: date) -> str:
    if not categories:
        raise SourceError("the arXiv API needs at least one category (setting arxiv_categories)")
    terms = " OR ".join(f"cat:{c}" for c in categories)
    return f"({terms}) AND submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"


def parse_atom_page(text: str, *, start: int, limits: RecordLimits, label: str = "") -> Page:
    """Parse one API response into a Page. `cursor` is the next `start`, None at the end."""
    xml = parse_xml_page(text, root="feed", item="entry", item_ns=ATOM)
    total_text = child_text(xml.root, f"{_O}totalResults")
    if total_text is None or not total_text.strip().isdigit():
        raise MalformedPage("Atom feed without opensearch:totalResults")
    total = int(total_text)
    page = Page(total=total, label=label)
    for item in xml.items:
        position = f"{label} entry {start + item.index + 1}"
        if item.element is None:
            page.errors.append(RecordError(item.error or "unreadable entry", position=position))
            continue
        entry_id = child_text(item.element, f"{_A}id") or ""
        if "arxiv.org/api/errors" in entry_id:
            message = child_text(item.element, f"{_A}summary") or entry_id
            raise SourceError(f"arXiv API error: {' '.join(message.split())}")
        try:
            record, versions = parse_atom_entry(item.element, limits, start + item.index)
        except RecordError as exc:
            page.errors.append(RecordError(exc.reason, position=position))
            continue
        page.records.append(record)
        page.versions.extend(versions)
    received = len(xml.items)
    if received == 0 and start < total:
        raise MalformedPage(f"no entries at start={start} although totalResults={total}")
    following = start + received
    page.cursor = str(following) if received and following < total else None
    return page


def parse_atom_entry(
    entry, limits: RecordLimits, position: int
) -> tuple[SourceRecord, list[PaperVersion]]:
    pid = f.arxiv_id(child_text(entry, f"{_A}id"), "id")
    published = f.timestamp(child_text(entry, f"{_A}published"), "published")
    if published is None:
        raise RecordError("missing published")
    updated = f.timestamp(child_text(entry, f"{_A}updated"), "updated")
    version = pid.version or 1
    primary = entry.find(f"{_X}primary_category")
    categories = [primary.get("term")] if primary is not None and primary.get("term") else []
    categories += [c.get("term") for c in entry.findall(f"{_A}category") if c.get("term")]
    paper = Paper(
        arxiv_id=pid.base,
        version=version,
        title=f.clean_text(child_text(entry, f"{_A}title"), "title", limit=limits.max_title_chars),
        abstract=f.clean_text(
            child_text(entry, f"{_A}summary"),
            "summary",
            limit=limits.max_abstract_chars,
            required=False,
        ),
        authors=f.authors(
            [a.findtext(f"{_A}name") or "" for a in entry.findall(f"{_A}author")],
            limit=limits.max_authors,
        ),
        categories=f.categories(categories),
        published_at=published,
        updated_at=updated,
        comment=f.optional_text(child_text(entry, f"{_X}comment"), "comment"),
        doi=f.optional_text(child_text(entry, f"{_X}doi"), "doi", 300),
        journal_ref=f.optional_text(child_text(entry, f"{_X}journal_ref"), "journal_ref", 1000),
    )
    versions = [PaperVersion(pid.base, 1, published)]
    if version > 1:
        versions.append(PaperVersion(pid.base, version, updated))
    entry_day = DailyEntry(pid.base, published.date(), "arxiv", position=position)
    return SourceRecord(paper, [entry_day]), versions


class ArxivApiSource:
    name = "arxiv"

    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        page_size: int,
        limits: RecordLimits,
        *,
        fetch_budget_s: float | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.page_size = page_size
        self.limits = limits
        self.fetch_budget_s = fetch_budget_s  # `fetch` runs while a person waits

    def fetch(self, arxiv_id: str) -> Paper | None:
        """One paper by id (`id_list`), or None if arXiv doesn't know it: a `PaperFetcher`."""

        def parse(fetched: Fetched) -> Page:
            return parse_atom_page(
                fetched.text(), start=0, limits=self.limits, label=f"arxiv id {arxiv_id}"
            )

        params = {"id_list": arxiv_id, "max_results": "1"}
        page = self.http.get(
            self.base_url,
            params,
            parse=parse,
            accept="application/atom+xml",
            budget_s=self.fetch_budget_s,
        )
        return page.records[0].paper if page.records else None

    def pages(
        self,
        since: date,
        until: date,
        categories: Sequence[str],
        cursor: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Page]:
        """Pages from offset `cursor` (a stored `start`) to the end of the listing."""
        query = search_query(categories, since, until)
        start = int(cursor) if cursor and cursor.isdigit() else 0
        while True:
            params = {
                "search_query": query,
                "start": str(start),
                "max_results": str(self.page_size),
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
            }
            label = f"arxiv start={start}"

            def parse(fetched: Fetched, start: int = start, label: str = label) -> Page:
                return parse_atom_page(fetched.text(), start=start, limits=self.limits, label=label)

            page = self.http.get(
                self.base_url, params, parse=parse, accept="application/atom+xml", cancel=cancel
            )
            yield page
            if page.cursor is None:
                return
            start = int(page.cursor)
