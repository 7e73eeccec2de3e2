"""Comment Markdown to safe HTML: a small subset, then an allowlist sanitiser.

markdown-it-py parses CommonMark with raw HTML off (a `<script>` a user types is text), images
off (no tracking pixels) and headings off (a comment doesn't add sections to a page); nh3
(ammonia) then keeps only the tags and attributes listed here and links with http, https or
mailto, so the output is safe even if the parser ever let something through.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .disable(["image", "heading", "lheading", "html_block", "html_inline"])
    .enable("strikethrough")
)


def render_comment(text: str) -> str:
    """The HTML of a comment: parsed, then cleaned; links get rel="nofollow ugc noopener"."""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
    )
