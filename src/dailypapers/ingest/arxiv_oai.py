"""arXiv's OAI-PMH interface: the bulk, incremental harvest (`ListRecords`).

The first request names the window (`from`/`until`, days, inclusive, by the record's
datestamp: its last modification), the `set` (e.g. `cs`) and the `metadataPrefix`; each
response carries a `resumptionToken` for the next one, and an empty token marks the end.
Two metadata formats are read:
- `arXiv`: authors split into keyname/forenames, `created` (v1 day) and `updated`;
- `arXivRaw`: every version with its submission time (RFC 2822), so all versions are
  recorded and the newest version number is known.
A paper is featured (source "arxiv") on the UTC day its v1 was submitted, whichever format.

Resuming: the run stores each page's resumption token after writing the page. A rerun after a
crash continues from the stored token. Tokens expire (arXiv keeps them for a limited time);
an expired one is answered with the OAI error `badResumptionToken`, and the harvest then
restarts from the run's stored `from` date. Replayed records merge, so nothing is duplicated.
"""

from __future__ import annotations

import logging
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime

from dailypapers.domain.ingest import Page, PaperVersion
from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.errors import RecordError, SourceError
from dailypapers.ingest import fields as f
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.http import Fetched, HttpClient
from dailypapers.ingest.xml_pages import child_text, parse_xml_page

log = logging.getLogger(__name__)

OAI = "http://www.openarchives.org/OAI/2.0/"
ARXIV_FORMAT = "http://arxiv.org/OAI/arXiv/"
ARXIV_RAW = "http://arxiv.org/OAI/arXivRaw/"
_P = f"{{{OAI}}}"
METADATA_PREFIXES = ("arXiv", "arXivRaw")
MAX_TOKEN_RESTARTS = 3


class BadResumptionToken(SourceError):
    """The server no longer knows the token (expired, or the listing changed)."""


def parse_oai_page(text: str, *, limits: RecordLimits, label: str = "") -> Page:
    """Parse one ListRecords response. `cursor` is the next resumption token, None at the end."""
    xml = parse_xml_page(text, root="OAI-PMH", item="record", item_ns=OAI)
    error = xml.root.find(f"{_P}error")
    if error is not None:
        code = error.get("code", "")
        message = " ".join((error.text or "").split())
        if code == "noRecordsMatch":
            return Page(total=0, label=label)
        if code == "badResumptionToken":
            raise BadResumptionToken(f"OAI-PMH badResumptionToken: {message}")
        raise SourceError(f"OAI-PMH error {code}: {message}")
    token = xml.root.find(f".//{_P}resumptionToken")
    page = Page(label=label)
    if token is not None:
        page.cursor = (token.text or "").strip() or None
        size = token.get("completeListSize", "")
        page.total = int(size) if size.isdigit() else None
    for item in xml.items:
        position = f"{label} record {item.index + 1}"
        if item.element is None:
            page.errors.append(RecordError(item.error or "unreadable record", position=position))
            continue
        try:
            record, versions = parse_oai_record(item.element, limits, item.index)
        except RecordError as exc:
            page.errors.append(RecordError(exc.reason, position=position))
            continue
        page.records.append(record)
        page.versions.extend(versions)
    return page


def parse_oai_record(
    record: ET.Element, limits: RecordLimits, position: int
) -> tuple[SourceRecord, list[PaperVersion]]:
    header = record.find(f"{_P}header")
    if header is None:
        raise RecordError("record without a header")
    if header.get("status") == "deleted":
        raise RecordError("deleted upstream (kept here as it is)")
    metadata = record.find(f"{_P}metadata")
    if metadata is None or len(metadata) == 0:
        raise RecordError("record without metadata")
    body = metadata[0]
    if body.tag == f"{{{ARXIV_FORMAT}}}arXiv":
        paper, versions, first = _from_arxiv_format(body, limits)
    elif body.tag == f"{{{ARXIV_RAW}}}arXivRaw":
        paper, versions, first = _from_arxiv_raw(body, limits)
    else:
        raise RecordError(f"unknown metadata format {body.tag}")
    entry = DailyEntry(paper.arxiv_id, first, "arxiv", position=position)
    return SourceRecord(paper, [entry]), versions


def _common(body: ET.Element, ns: str, limits: RecordLimits) -> dict:
    q = f"{{{ns}}}"
    return {
        "title": f.clean_text(child_text(body, f"{q}title"), "title", limit=limits.max_title_chars),
        "abstract": f.clean_text(
            child_text(body, f"{q}abstract"),
            "abstract",
            limit=limits.max_abstract_chars,
            required=False,
        ),
        "categories": f.categories(child_text(body, f"{q}categories")),
        "comment": f.optional_text(child_text(body, f"{q}comments"), "comments"),
        "journal_ref": f.optional_text(child_text(body, f"{q}journal-ref"), "journal-ref", 1000),
        "doi": f.optional_text(child_text(body, f"{q}doi"), "doi", 300),
    }


def _from_arxiv_format(
    body: ET.Element, limits: RecordLimits
) -> tuple[Paper, list[PaperVersion], date]:
    q = f"{{{ARXIV_FORMAT}}}"
    pid = f.arxiv_id(child_text(body, f"{q}id"), "id")
    created = f.day(child_text(body, f"{q}created"), "created")
    updated_text = child_text(body, f"{q}updated")
    updated = f.day(updated_text, "updated") if updated_text else None
    names = []
    for author in body.iterfind(f"{q}authors/{q}author"):
        parts = [author.findtext(f"{q}{tag}") or "" for tag in ("forenames", "keyname", "suffix")]
        names.append(" ".join(p.strip() for p in parts if p.strip()))
    published = _midnight(created)
    paper = Paper(
        arxiv_id=pid.base,
        version=pid.version,
        authors=f.authors(names, limit=limits.max_authors),
        published_at=published,
        updated_at=_midnight(updated) if updated else None,
        **_common(body, ARXIV_FORMAT, limits),
    )
    return paper, [PaperVersion(pid.base, 1, published)], created


def _from_arxiv_raw(
    body: ET.Element, limits: RecordLimits
) -> tuple[Paper, list[PaperVersion], date]:
    q = f"{{{ARXIV_RAW}}}"
    pid = f.arxiv_id(child_text(body, f"{q}id"), "id")
    versions = []
    for item in body.iterfind(f"{q}version"):
        label = (item.get("version") or "").lstrip("v")
        if not label.isdigit() or int(label) < 1:
            raise RecordError(f"bad version label {item.get('version')!r}")
        stamp = f.timestamp(child_text(item, f"{q}date"), "version.date")
        versions.append(PaperVersion(pid.base, int(label), stamp))
    if not versions:
        raise RecordError("arXivRaw record without a version")
    versions.sort(key=lambda v: v.version)
    first, last = versions[0], versions[-1]
    if first.submitted_at is None:
        raise RecordError("missing version.date of the first version")
    paper = Paper(
        arxiv_id=pid.base,
        version=last.version,
        authors=f.authors(child_text(body, f"{q}authors"), limit=limits.max_authors),
        published_at=first.submitted_at,
        updated_at=last.submitted_at,
        **_common(body, ARXIV_RAW, limits),
    )
    return paper, versions, first.submitted_at.date()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class OaiSource:
    name = "oai"

    def __init__(self, http: HttpClient, base_url: str, limits: RecordLimits) -> None:
        self.http = http
        self.base_url = base_url
        self.limits = limits

    def pages(
        self,
        since: date,
        until: date,
        *,
        set_spec: str,
        metadata_prefix: str,
        cursor: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Page]:
        """Pages from the stored token `cursor` (or from `since`) to the end of the list."""
        if metadata_prefix not in METADATA_PREFIXES:
            raise SourceError(f"metadataPrefix must be one of {', '.join(METADATA_PREFIXES)}")
        fresh = {
            "verb": "ListRecords",
            "metadataPrefix": metadata_prefix,
            "from": since.isoformat(),
            "until": until.isoformat(),
        }
        if set_spec:
            fresh["set"] = set_spec
        token, restarts, number = cursor, 0, 0
        while True:
            number += 1
            params = {"verb": "ListRecords", "resumptionToken": token} if token else fresh
            label = f"oai page {number}" + (f" (token {token})" if token else f" (from {since})")

            def parse(fetched: Fetched, label: str = label) -> Page:
                return parse_oai_page(fetched.text(), limits=self.limits, label=label)

            try:
                page = self.http.get(
                    self.base_url, params, parse=parse, accept="text/xml", cancel=cancel
                )
            except BadResumptionToken as exc:
                if token is None or restarts >= MAX_TOKEN_RESTARTS:
                    raise
                restarts += 1
                log.warning("%s; restarting the harvest from %s", exc.message, since)
                token = None
                yield Page(
                    label=f"restart from {since}",
                    cursor="",  # not the end: the next page is the window's first again
                    notice=f"{exc.message}: restarted the harvest from {since}",
                )
                continue
            yield page
            if page.cursor is None:
                return
            token = page.cursor
