"""Atom feeds and digest mails show TeX cleaned: feed readers and mail clients render no
MathML, so a title or abstract there has no raw backslash (domain.tex.to_plain)."""

from __future__ import annotations

from datetime import UTC, datetime

from dailypapers.domain.digests import DigestItem, Reason
from dailypapers.domain.papers import Paper
from dailypapers.domain.search import Span
from dailypapers.presenters.atom_entries import atom_entry
from dailypapers.presenters.digests import digest_item

ABSTRACT = r"We sort in $\mathcal{O}(n)$ time with \emph{learned} keys, 95\% of the time."
PAPER = Paper(
    arxiv_id="2608.00001",
    title=r"$\alpha$-Sorting: \textbf{Linear} Time -- Mostly",
    abstract=ABSTRACT,
    authors=["Ada Lovelace"],
)


def test_an_atom_entry_has_its_tex_cleaned() -> None:
    entry = atom_entry(
        PAPER, datetime(2026, 8, 21, tzinfo=UTC), None, site_root="http://x", authority="x"
    )
    assert entry["title"] == "α-Sorting: Linear Time – Mostly"
    assert entry["summary"] == "We sort in O(n) time with learned keys, 95% of the time."


def test_a_digest_item_has_its_tex_cleaned_snippet_included() -> None:
    at = ABSTRACT.index("learned")
    reason = Reason(kind="query", query="learned", abstract_spans=(Span(at, at + 7),))
    item = digest_item(DigestItem(PAPER, [reason]), 1, site_root="http://x", abstract_chars=500)
    assert item["title"] == "α-Sorting: Linear Time – Mostly"
    assert item["abstract"] == "We sort in O(n) time with learned keys, 95% of the time."
    runs = item["reasons"][0]["snippet"]
    assert ("learned", True) in runs
    assert "\\" not in "".join(piece for piece, _ in runs)
