"""Atom (RFC 4287) documents from a `FeedDoc`, written with xml.etree (which escapes).

Each entry's content is shaped by `presenters.atom_entries`, the same presenter layer the
pages, the API and the mails use; this module only writes it as XML.

Ids are `tag:` URIs (RFC 4151) built from the `feed_tag_authority` setting: entries are
`tag:AUTHORITY:paper/ARXIV_ID`, so an entry has the same id in every feed and every run,
and a reader that sees a paper in two feeds can tell it is one paper. Every feed has an id,
a title, `updated`, a `self` link and an author; every entry an id, a title, `updated`, a
link, a summary and its authors' names. Characters XML 1.0 can't carry (stray control
characters in imported text) are dropped rather than producing a document readers reject.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from dailypapers.presenters.atom_entries import atom_entry, rfc3339, tag_uri
from dailypapers.services.syndication import FeedDoc, FeedEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _text(parent: ET.Element, tag: str, text: str | None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = clean(text)
    return element


def _link(parent: ET.Element, href: str, rel: str, media_type: str | None = None) -> None:
    attrs = {"rel": rel, "href": href}
    if media_type:
        attrs["type"] = media_type
    ET.SubElement(parent, "link", attrs)


def _entry(feed: ET.Element, entry: FeedEntry, *, root: str, authority: str) -> None:
    shaped = atom_entry(
        entry.paper, entry.updated, entry.reason, site_root=root, authority=authority
    )
    element = ET.SubElement(feed, "entry")
    _text(element, "id", shaped["id"])
    _text(element, "title", shaped["title"], type="text")
    _text(element, "updated", shaped["updated"])
    if shaped["published"] is not None:
        _text(element, "published", shaped["published"])
    for link in shaped["links"]:
        _link(element, link["href"], link["rel"], link["type"])
    for name in shaped["authors"]:
        author = ET.SubElement(element, "author")
        _text(author, "name", name)
    for category in shaped["categories"]:
        ET.SubElement(element, "category", {"term": clean(category)})
    _text(element, "summary", shaped["summary"], type="text")


def render_feed(doc: FeedDoc, *, base_url: str, authority: str, site_name: str) -> bytes:
    """The feed as UTF-8 XML bytes, with an XML declaration."""
    root = base_url.rstrip("/")
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _text(feed, "id", tag_uri(authority, f"feed/{doc.key}"))
    _text(feed, "title", doc.title, type="text")
    _text(feed, "subtitle", doc.subtitle, type="text")
    _text(feed, "updated", rfc3339(doc.updated))
    _link(feed, f"{root}{doc.self_path}", "self", "application/atom+xml")
    if doc.html_path:
        _link(feed, f"{root}{doc.html_path}", "alternate", "text/html")
    author = ET.SubElement(feed, "author")
    _text(author, "name", site_name)
    _text(author, "uri", f"{root}/")
    _text(feed, "generator", "dailypapers")
    for entry in doc.entries:
        _entry(feed, entry, root=root, authority=authority)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
