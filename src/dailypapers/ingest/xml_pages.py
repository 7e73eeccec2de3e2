"""Reading one upstream XML page (Atom, OAI-PMH) so that a bad record costs only that record.

A page is first checked to be whole: it must end with its root's closing tag, else it was cut
off in transit and `MalformedPage` asks the HTTP client to fetch it again (a cut page is never
half-imported). A whole page that is not well-formed is then salvaged item by item: each
`<entry>`/`<record>` is parsed on its own (inside a copy of the root's start tag, so namespace
prefixes still resolve) and the broken ones come back as errors with their position.

The standard library's expat refuses entity expansion attacks (billion laughs) since 2.4.1
and ElementTree resolves no external entities, so upstream XML is parsed with it directly.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from dailypapers.ingest.http import MalformedPage


@dataclass(slots=True)
class XmlItem:
    index: int  # 0-based position of the item on its page
    element: ET.Element | None
    error: str | None = None


@dataclass(slots=True)
class XmlPage:
    root: ET.Element  # the page; in salvage mode, the page with its items taken out
    items: list[XmlItem]
    salvaged: bool = False


def parse_xml_page(text: str, *, root: str, item: str, item_ns: str) -> XmlPage:
    """Parse a page whose root element is `root` and whose records are `{item_ns}item`."""
    if not re.search(rf"</(?:[\w.-]+:)?{re.escape(root)}>\s*\Z", text):
        tail = " ".join(text[-80:].split())
        raise MalformedPage(f"XML cut off: no closing </{root}> (ends with {tail!r})")
    try:
        document = ET.fromstring(text)
    except ET.ParseError:
        return _salvage(text, root=root, item=item)
    items = [XmlItem(i, el) for i, el in enumerate(document.iter(f"{{{item_ns}}}{item}"))]
    return XmlPage(document, items)


def _salvage(text: str, *, root: str, item: str) -> XmlPage:
    start = re.search(rf"<(?:[\w.-]+:)?{re.escape(root)}\b[^>]*>", text)
    if start is None:
        raise MalformedPage(f"not well-formed XML and no <{root}> start tag")
    root_start = start.group(0)
    root_name = root_start[1:].split()[0].rstrip(">")
    pattern = re.compile(rf"<{re.escape(item)}\b.*?</{re.escape(item)}>", re.DOTALL)
    chunks = list(pattern.finditer(text))
    skeleton = pattern.sub("", text)
    try:
        document = ET.fromstring(skeleton)
    except ET.ParseError as exc:
        raise MalformedPage(f"not well-formed XML outside the <{item}> elements: {exc}") from None
    items = []
    for index, match in enumerate(chunks):
        try:
            wrapper = ET.fromstring(f"{root_start}{match.group(0)}</{root_name}>")
            items.append(XmlItem(index, wrapper[0]))
        except (ET.ParseError, IndexError) as exc:
            items.append(XmlItem(index, None, f"not well-formed XML ({exc})"))
    return XmlPage(document, items, salvaged=True)


def child_text(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    if found is None or found.text is None:
        return None
    return found.text
