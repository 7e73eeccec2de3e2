"""Why a paper matched: the words that carry the query, and the sentence closest in meaning.

Everything here is computed from the paper's own text and vectors, never generated:
- `term_spans`: where a query's words occur in a title or abstract, compared by inflection
  ("network" marks "networks" and "networking"), not by the index's full Porter stem, which
  makes one of different words ("rationale" would mark "Resource-Rational"). Spans never
  fall inside LaTeX math or a LaTeX command name, so highlighting can't break math the
  browser typesets.
- `best_sentence`: the sentence whose vector is most similar to the query's.
- `explain` puts both into a `Rationale` with a one-line summary; `similar_reason` says in
  one line what two neighbouring papers share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from dailypapers.domain.papers import Paper
from dailypapers.domain.search import STOPWORDS, Rationale, Span
from dailypapers.search.stemming import inflection_forms, stem

_WORD = re.compile(r"[^\W_]+")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)

# Words nearly every abstract uses: never offered as what two papers "share".
_GENERIC = frozenset(
    stem(w)
    for w in """paper papers propose proposed proposes approach approaches method methods model
    models result results show shows shown demonstrate demonstrates performance task tasks new novel
    based using use used data dataset datasets existing work works study framework experiments
    experimental extensive state art achieve achieves significantly significant improve
    improves improved improvement also however large first two three various different well
    effective effectively leverage leverages introduce introduces present presents further
    including across available code https github com www http release released
    """.split()  # noqa: SIM905
)


def _protected(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _MATH.finditer(text)]


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased word) for each word outside math and LaTeX command names."""
    latex = "$" in text or "\\" in text
    protected = _protected(text) if latex else []
    found = []
    p = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        if latex:
            while p < len(protected) and protected[p][1] <= start:
                p += 1
            if p < len(protected) and protected[p][0] <= start < protected[p][1]:
                continue
            if start > 0 and text[start - 1] == "\\":  # \mathcal, \emph
                continue
        found.append((start, end, match.group().lower()))
    return found


@lru_cache(maxsize=1024)
def _matcher(
    terms: tuple[str, ...],
) -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """A regex finding the words that may match `terms`, form/word -> term, and the same
    regex for lower-cased ASCII text without its look-behind (see `term_spans`).

    Step 1 only rewrites endings, so a word can share a term's form only if it begins with
    the form's first letters: the regex finds those candidates at C speed and only they are
    stemmed.
    """
    by_stem: dict[str, str] = {}
    for term in terms:
        for form in inflection_forms(term):
            by_stem.setdefault(form, term)
        by_stem.setdefault(term, term)
    # A form ending in e also stands for words that dropped it ("use" for "using").
    prefixes = sorted(
        {re.escape((key[:-1] if key.endswith("e") else key)[:3]) for key in by_stem},
        key=len,
        reverse=True,
    )
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(prefixes) + r")[^\W_]*", re.IGNORECASE)
    return pattern, by_stem, re.compile(r"(?:" + "|".join(prefixes) + r")[^\W_]*")


def term_spans(text: str, terms: Sequence[str]) -> tuple[list[Span], list[str]]:
    """Spans of `text` holding any of `terms` (by word or stem), and which terms were found."""
    if not text or not terms:
        return [], []
    pattern, by_stem, ascii_pattern = _matcher(tuple(terms))
    latex = "$" in text or "\\" in text
    protected = _protected(text) if latex else []
    spans: list[Span] = []
    found: dict[str, None] = {}
    if text.isascii():
        # The same matches, 2-10x faster (~40 hits a page, each title and abstract): a
        # case-sensitive regex without a look-behind keeps re's fast scan for its first
        # letters, and a match that starts inside a word is dropped here (it runs to that
        # word's end, so it never hides the start of the next one).
        lowered = text.lower()
        matches = (
            m
            for m in ascii_pattern.finditer(lowered)
            if m.start() == 0 or not lowered[m.start() - 1].isalnum()
        )
    else:
        matches = pattern.finditer(text)
    for match in matches:
        start, end = match.span()
        word = match.group().lower()
        term = by_stem.get(word) or next(
            (by_stem[f] for f in inflection_forms(word) if f in by_stem), None
        )
        if term is None:
            continue
        if latex and (
            (start > 0 and text[start - 1] == "\\") or any(a <= start < b for a, b in protected)
        ):
            continue
        spans.append(Span(start, end))
        found[term] = None
    return spans, list(found)


def best_sentence(query: np.ndarray, sentence_vectors: np.ndarray) -> tuple[int, float]:
    """Index and cosine similarity of the sentence closest to the query (-1 if none)."""
    if sentence_vectors is None or len(sentence_vectors) == 0:
        return -1, 0.0
    sims = sentence_vectors @ np.asarray(query, np.float32)
    best = int(np.argmax(sims))
    return best, float(sims[best])


def explain(
    paper: Paper,
    terms: Sequence[str],
    *,
    sentence: Span | None = None,
    sentence_similarity: float | None = None,
) -> Rationale:
    title_spans, in_title = term_spans(paper.title, terms)
    abstract_spans, in_abstract = term_spans(paper.abstract, terms)
    matched = list(dict.fromkeys([*in_title, *in_abstract]))
    return Rationale(
        matched_terms=matched,
        title_spans=title_spans,
        abstract_spans=abstract_spans,
        sentence=sentence,
        sentence_similarity=sentence_similarity,
        summary=_summary(terms, in_title, in_abstract, sentence_similarity),
    )


def _quoted(items: Sequence[str], limit: int = 4) -> str:
    shown = [f"“{t}”" for t in items[:limit]]
    more = len(items) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _summary(
    terms: Sequence[str],
    in_title: Sequence[str],
    in_abstract: Sequence[str],
    similarity: float | None,
) -> str:
    parts = []
    if in_title:
        parts.append(f"title has {_quoted(in_title)}")
    abstract_only = [t for t in in_abstract if t not in in_title]
    if abstract_only:
        parts.append(f"abstract has {_quoted(abstract_only)}")
    missing = [t for t in terms if t not in in_title and t not in in_abstract]
    if parts and missing:
        parts.append(f"not {_quoted(missing, 3)}")
    if similarity is not None:
        parts.append(f"closest sentence in meaning: similarity {similarity:.2f}")
    return "; ".join(parts) if parts else "similar in meaning"


# Words that glue clauses together: a "phrase" running over one ("learning yet") is not one.
_FILLER = frozenset(
    """yet thus hence therefore however although though whereas whether via also often still
    even many much well without within across among upon toward towards including such""".split()  # noqa: SIM905
)


def key_terms(text: str) -> dict[str, str]:
    """Stem key -> surface form of a text's content words and two-word phrases.

    A phrase ("video diffusion", "language models") is two adjacent words, neither a
    stopword, at least one not generic; its key is the pair of stems.
    """
    found: dict[str, str] = {}
    previous: tuple[str, str, int] | None = None  # (stem, word, end)
    for start, end, word in words(text):
        if len(word) < 2 or word in STOPWORDS or word in _FILLER or word.isdigit():
            previous = None
            continue
        key = stem(word)
        adjacent = previous is not None and start - previous[2] <= 2  # "a b", "a-b"
        if adjacent and not (previous[0] in _GENERIC and key in _GENERIC):
            found.setdefault(f"{previous[0]} {key}", f"{previous[1]} {word}")
        previous = (key, word, end)
        if len(word) >= 3 and key not in _GENERIC:
            found.setdefault(key, word)
    return found


def similar_reason(paper: Paper, neighbour: Paper, similarity: float, limit: int = 3) -> str:
    """One line on what `neighbour` shares with `paper`: shared phrases, then words.

    Title words come before abstract words, and a word already inside a named phrase is
    not named again.
    """
    paper_title, neighbour_title = key_terms(paper.title), key_terms(neighbour.title)
    paper_all = {**key_terms(paper.abstract), **paper_title}
    neighbour_all = {**key_terms(neighbour.abstract), **neighbour_title}
    shared = [k for k in neighbour_all if k in paper_all]
    phrases = [k for k in shared if " " in k]
    singles = [k for k in shared if " " not in k]
    ordered = sorted(phrases, key=lambda k: (k not in neighbour_title, k not in paper_title))
    ordered += sorted(singles, key=lambda k: (k not in neighbour_title, k not in paper_title))
    named: list[str] = []
    covered: set[str] = set()
    for key in ordered:
        parts = set(key.split())
        if parts <= covered:
            continue
        named.append(neighbour_all[key])
        covered |= parts
        if len(named) == limit:
            break
    if named:
        return f"{similarity:.0%} similar in meaning; both discuss {', '.join(named)}"
    return f"{similarity:.0%} similar in meaning"
