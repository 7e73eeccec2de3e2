"""Exact matches that go first in every mode: a pasted arXiv id or URL, and a pasted title.

Someone who pastes `2405.15738`, `arxiv.org/pdf/2405.15738v2` or a paper's HF URL wants that
paper; someone who pastes a title wants the paper with that title, even while it has no vector
or when a longer abstract matches the words better. The engine puts these first
(`SearchEngine.search`, `SearchPage.opened`); the web search page opens a named paper.
"""

from __future__ import annotations

import re

from dailypapers.domain.arxiv_ids import parse_arxiv_id
from dailypapers.errors import InvalidArxivId

TITLE_CANDIDATES = 10  # the best keyword hits looked at for an exact title
MIN_TITLE_WORDS = 2  # a one-word query is a topic, not a title

_NOT_WORD = re.compile(r"[\W_]+")


def named_paper(query: str) -> str | None:
    """The arXiv id (without version) that `query` is, as an id or abs/pdf/HF URL; else None."""
    text = query.strip()
    if not text or any(c.isspace() for c in text):
        return None
    try:
        return parse_arxiv_id(text).base
    except InvalidArxivId:
        return None


def title_key(text: str) -> str:
    """A title as compared: case, punctuation and spacing don't count."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
