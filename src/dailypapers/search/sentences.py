"""Splitting abstracts into sentences, as character spans of the original text.

Sentences are the unit of the semantic rationale ("the abstract sentence most similar to the
query") and of sentence-level scoring, so the split has to survive what real abstracts hold:
arXiv's hard line wraps, LaTeX math (`$O(n^2)$`, `\\cite{a.b}`), decimals, abbreviations
(`e.g.`, `et al.`, `Fig.`), and sentences glued together without a space (BEIR's SciFact
corpus joins its sentences as `...disabilities.A line scan...`). Spans index the original
string, so a caller can highlight a sentence without re-finding it.
"""

from __future__ import annotations

import re

# Words that end with a period but do not end a sentence (compared lower-cased, no period).
ABBREVIATIONS = frozenset(
    """e.g i.e al cf vs fig figs eq eqs sec secs ref refs tab no nos approx resp prof jr sr ca viz
    incl esp dept univ vol pp ed eds ch
    """.split()  # noqa: SIM905
)

# A candidate end: terminal punctuation, optional closing quotes/brackets.
_END = re.compile(r"""[.!?]+["'”’)\]]*""")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
_PARAGRAPH = re.compile(r"\n\s*\n")

MIN_SENTENCE_CHARS = 20  # shorter pieces ("Objective.", "(ii)") join their neighbour


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, stripped of whitespace."""
    if not text or not text.strip():
        return []
    protected = _protected_ranges(text)
    cuts: list[int] = []
    for paragraph in _PARAGRAPH.finditer(text):
        cuts.append(paragraph.start())
    for match in _END.finditer(text):
        end = match.end()
        if _inside(protected, match.start()) or not _ends_sentence(text, match.start(), end):
            continue
        cuts.append(end)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(text)]:
        span = _strip(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return _merge_short(text, spans)


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def _ends_sentence(text: str, dot: int, end: int) -> bool:
    nxt = text[end : end + 1]
    if end >= len(text):
        return False  # the last sentence ends at the end anyway
    before = _word_before(text, dot)
    if text[dot] == "." and before.lower().rstrip(".") in ABBREVIATIONS:
        return False
    if nxt.isspace():
        following = text[end:].lstrip()
        if not following:
            return False
        first = following[0]
        if first.isupper() or first.isdigit() or first in "$\\([\"'“‘":
            # "J. Smith": a lone capital before the period is an initial, not an end
            return not (len(before) == 1 and before.isupper())
        # lower-cased collections ("... delivery . significant ...") mark ends with " . "
        return dot > 0 and text[dot - 1] == " " and text[dot] == "."
    # glued sentences: "disabilities.A line", "(n = 7).To assess", "1.2 ms.In the"
    after = text[end + 1 : end + 2]
    if nxt.isupper() and (after.islower() or (nxt in "AI" and after == " ")):
        prev = text[dot - 1] if dot > 0 else ""
        return (prev.islower() and len(before) > 1) or prev in ")%]"
    return False


def _word_before(text: str, dot: int) -> str:
    start = dot
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    return text[start:dot]


def _protected_ranges(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _MATH.finditer(text)]


def _inside(ranges: list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in ranges)


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _merge_short(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    carry: int | None = None  # start of a too-short piece waiting to join the next one
    for start, end in spans:
        if carry is not None:
            start, carry = carry, None
        if end - start < MIN_SENTENCE_CHARS:
            carry = start
            continue
        merged.append((start, end))
    if carry is not None:
        if merged:
            merged[-1] = (merged[-1][0], spans[-1][1])
        else:
            merged.append((carry, spans[-1][1]))
    return merged
