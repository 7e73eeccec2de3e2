"""What a search asks for and what it answers, as the rest of the system sees it.

A query is plain words, plus two forms people type into every search box: a quoted phrase
(`"chain of thought"`: these words, in this order) and an exclusion (`-vision`: no paper
holding it), and two fields: `author:"Yann LeCun"` / `author:lecun` (a paper by that
author) and `cat:cs.CL` / `category:cs.CL` (a paper listed in that arXiv category).
`parse_query` reads them; no other operator syntax reaches a database.
`query_terms` is the one tokenizer both keyword backends get their terms from (and the
highlighter its words), so what is matched and what is highlighted agree. Results carry
their own explanation (`Rationale`): the title/abstract spans that hold query terms, and for
semantic matches the abstract sentence closest to the query in meaning, so a page can show
*why* a paper is there. A search that finds nothing says why as well: which filter left
none (`emptied_by`) and a broader search to try (`broader_search`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from dailypapers.domain.papers import Paper
from dailypapers.domain.periods import parse_optional_day

SearchMode = Literal["hybrid", "keyword", "semantic"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "keyword", "semantic")
SearchSort = Literal["relevance", "newest", "upvotes"]
SEARCH_SORTS: tuple[SearchSort, ...] = ("relevance", "newest", "upvotes")

# Words (letters and digits), as SQLite's unicode61 tokenizer cuts them: `_`, `-`, `$`, `\`
# and every other symbol separate words.
_WORD = re.compile(r"[^\W_]+")

# Common English words that carry no topic: dropped from queries (a query of only these keeps
# them). Mostly PostgreSQL's english stop list, so both backends ignore the same words.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    """.split()  # noqa: SIM905
)

MAX_QUERY_TERMS = 32


def query_terms(query: str, *, keep_stopwords: bool = False) -> list[str]:
    """The distinct lower-cased words of a query, in order, stopwords dropped.

    A query made only of stopwords ("the who") keeps them, so it still finds something.
    """
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))[:MAX_QUERY_TERMS]
    if keep_stopwords:
        return words
    content = [w for w in words if w not in STOPWORDS]
    return content or words


# A quoted phrase, or a token; either may start with "-" (an exclusion).
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')

Phrase = tuple[str, ...]  # lower-cased words, in order


@dataclass(frozen=True, slots=True)
class QueryParts:
    """A query read as words to rank by, phrases every hit holds, and words or phrases no
    hit holds. Phrase words are among `terms` too (they rank and highlight as words).
    `authors`: names (as phrases) a hit's author list holds, each; `categories`: arXiv
    categories from `cat:`; `text`: the query without its `author:`/`cat:` fields (what is
    embedded and compared with titles). A query of authors only ranks by their names'
    words."""

    terms: list[str]
    phrases: list[Phrase] = field(default_factory=list)
    excluded: list[Phrase] = field(default_factory=list)
    authors: list[Phrase] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def constrained(self) -> bool:
        return bool(self.phrases or self.excluded or self.authors)


def _phrase(text: str) -> Phrase:
    return tuple(w.lower() for w in _WORD.findall(text))[:MAX_QUERY_TERMS]


# `author:"Yann LeCun"`, `author:lecun`, `cat:cs.CL`, `category:cs.CL` (the field name in any
# case), at the start of a token.
_FIELD = re.compile(r'(?<!\S)(author|cat|category):(?:"([^"]*)"|([^\s"]+))', re.IGNORECASE)
_CATEGORY = re.compile(r"^[A-Za-z-]+(\.[A-Za-z-]+)?$")


def category_name(text: str) -> str | None:
    """An arXiv category as arXiv spells it (`cs.cl` -> `cs.CL`, `hep-th`), or None."""
    if not _CATEGORY.match(text):
        return None
    archive, _, subject = text.partition(".")
    if not subject:
        return archive.lower()
    return f"{archive.lower()}.{subject.upper() if len(subject) <= 2 else subject}"


def parse_query(query: str) -> QueryParts:
    """`"a b"` is a phrase, `-word` and `-"a b"` are exclusions, `author:`/`cat:` are
    fields (see the module docstring), the rest are words.

    A `-` inside a word ("chain-of-thought", "GPT-4") is part of it, a `-` before a digit is
    a sign ("-2", "E2f-1, -2, -3"), an unclosed quote is just a character, and a query of
    exclusions only ("-ConvLLaVA") has nothing to search for, so it reads as plain words: a
    query typed without this syntax reads as it always did.
    """
    authors: list[Phrase] = []
    categories: list[str] = []

    def take_field(match: re.Match) -> str:
        name, quoted, bare = match.group(1).lower(), match.group(2), match.group(3)
        value = quoted if quoted is not None else bare
        if name == "author" and (words := _phrase(value)):
            authors.append(words)
            return " "
        if name != "author" and (category := category_name(value)):
            categories.append(category)
            return " "
        return match.group(0)  # `cat:???`: just words

    query = " ".join(_FIELD.sub(take_field, query).split())
    fields = {
        "authors": list(dict.fromkeys(authors))[:MAX_QUERY_TERMS],
        "categories": list(dict.fromkeys(categories)),
        "text": query,
    }
    plain: list[str] = []
    phrases: list[Phrase] = []
    excluded: list[Phrase] = []
    for match in _TOKEN.finditer(query):
        minus, quoted, token = match.groups()
        if quoted is not None:
            words = _phrase(quoted)
            if words and minus:
                excluded.append(words)
            elif words:
                phrases.append(words)
                plain.append(quoted)
        elif token[:1] == "-" and token[1:2].isalpha() and (words := _phrase(token[1:])):
            excluded.append(words)
        else:
            plain.append(token)
    if not query_terms(" ".join(plain)) and excluded:  # "-ConvLLaVA": nothing else to find
        return QueryParts(query_terms(query), **fields)
    terms = query_terms(" ".join(plain))
    if not terms and authors:  # `author:lecun`: their papers, ranked by the name's words
        terms = query_terms(" ".join(w for a in authors for w in a), keep_stopwords=True)
    return QueryParts(
        terms,
        list(dict.fromkeys(phrases))[:MAX_QUERY_TERMS],
        list(dict.fromkeys(excluded))[:MAX_QUERY_TERMS],
        **fields,
    )


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrict results; every field left at its default means "any"."""

    published_from: date | None = None  # inclusive
    published_to: date | None = None  # inclusive
    category: str | None = None  # an arXiv category the paper is listed in, e.g. "cs.CL"
    has_code: bool = False  # only papers with a code repository

    @property
    def active(self) -> bool:
        return bool(self.published_from or self.published_to or self.category or self.has_code)

    @classmethod
    def from_params(
        cls,
        published_from: str | None,
        published_to: str | None,
        category: str | None,
        has_code: str | None,
    ) -> SearchFilters:
        """The filters as the search page, the API and feeds spell them in a query string
        (`from`, `to`, `category`, `has_code`): one parser for all of them."""
        return cls(
            published_from=parse_optional_day(published_from, name="from"),
            published_to=parse_optional_day(published_to, name="to"),
            category=(category or "").strip() or None,
            has_code=(has_code or "").strip().lower() in _TRUE,
        )


_TRUE = ("1", "true", "on", "yes")


@dataclass(frozen=True, slots=True)
class Span:
    """Characters [start, end) of a paper's title or abstract."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Rationale:
    """Why a paper matched, computed from its text (not generated).

    `title_spans`/`abstract_spans`: where the query's words (or their stems) occur, for
    highlighting. `sentence`: the abstract sentence closest in meaning to the query (semantic
    matches), with its cosine similarity. `summary`: the same in one line of plain text.
    """

    matched_terms: list[str] = field(default_factory=list)
    title_spans: list[Span] = field(default_factory=list)
    abstract_spans: list[Span] = field(default_factory=list)
    sentence: Span | None = None
    sentence_similarity: float | None = None
    summary: str = ""

    def sentence_text(self, paper: Paper) -> str | None:
        return paper.abstract[self.sentence.start : self.sentence.end] if self.sentence else None


@dataclass(frozen=True, slots=True)
class SearchHit:
    paper: Paper
    score: float  # the fused relevance score (higher is better; comparable within one search)
    keyword_rank: int | None  # 1-based rank in the keyword list, None if not retrieved there
    semantic_rank: int | None  # 1-based rank in the semantic list
    similarity: float | None  # best cosine similarity of the query to the paper (doc or sentence)
    rationale: Rationale


@dataclass(frozen=True, slots=True)
class BroaderSearch:
    """A search to offer instead of one that found nothing; `label` says how it is broader."""

    label: str
    query: str
    mode: SearchMode
    filters: SearchFilters = SearchFilters()


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    mode: SearchMode  # what was asked for
    mode_used: SearchMode  # what ran: "keyword" while no embeddings exist yet
    sort: SearchSort
    filters: SearchFilters
    hits: list[SearchHit]
    total: int  # results in all pages (capped at the `search_max_results` setting)
    page: int  # counts from 0
    limit: int
    notice: str | None = None  # a sentence for the user when mode_used != mode, etc.
    took_ms: float = 0.0
    suggestion: str | None = None  # no keyword match: the query spelled as papers spell it
    # Share of visible papers with a vector (None in keyword mode): below 1.0 after an import
    # that `dailypapers index` hasn't finished; unembedded papers compete on keywords alone.
    embedded_fraction: float | None = None
    opened: str | None = None  # the query named this paper (an arXiv id or URL): it is first
    # The keyphrases most shared by this page's hits, with how many hits carry each: the
    # search page offers each as a narrower search (`keyphrase_facets`).
    facets: tuple[tuple[str, int], ...] = ()
    # A search that found nothing: which of its filters left none (`emptied_by`) and what to
    # search for instead (`broader_search`).
    emptied_by: str | None = None
    broader: BroaderSearch | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True, slots=True)
class SimilarPaper:
    """A nearest neighbour of a paper by embedding, with a one-line reason."""

    paper: Paper
    similarity: float
    reason: str


def with_facets(page: SearchPage, facets: tuple[tuple[str, int], ...]) -> SearchPage:
    return replace(page, facets=facets)


def keyphrase_facets(
    query: str, phrases_per_hit: Sequence[Sequence[str]], *, limit: int
) -> tuple[tuple[str, int], ...]:
    """The keyphrases shared by at least two hits, most shared first (then alphabetically),
    each with how many hits carry it; a phrase the query already holds isn't offered."""
    asked = query.casefold()
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for phrases in phrases_per_hit:
        for phrase in {p.strip().casefold(): p.strip() for p in phrases if p.strip()}.items():
            key, text = phrase
            if key in asked:
                continue
            counts[key] = counts.get(key, 0) + 1
            shown.setdefault(key, text)
    shared = sorted((k for k, n in counts.items() if n >= 2), key=lambda k: (-counts[k], k))
    return tuple((shown[k], counts[k]) for k in shared[:limit])


def plain_words(query: str) -> str:
    """The query without its quotes and its `-exclusions`: what a phrase search loosens to."""
    words = [w for w in query.replace('"', " ").split() if not w.startswith("-")]
    return " ".join(words)


def broader_search(query: str, mode: SearchMode, filters: SearchFilters) -> BroaderSearch | None:
    """A search that finds nothing offers a broader one where one exists: the same words
    without the filters, else the words without phrases and exclusions, else the words
    matched by meaning as well as by keyword. None when the query is already the broadest."""
    if filters.active:
        return BroaderSearch("the same words without filters", query, mode)
    plain = plain_words(query)
    if plain and plain != query:
        return BroaderSearch(f"“{plain}”", plain, mode, filters)
    if mode == "keyword":
        return BroaderSearch("a search by meaning as well", query, "hybrid", filters)
    return None


def emptied_by(count: Callable[[SearchFilters], int], filters: SearchFilters) -> str | None:
    """Which filter emptied a search that found nothing: None when the words alone find
    nothing either (then the filters are not to blame). `count(filters)` counts the results
    of the same words under other filters: one search per filter at most, paid only by a
    search with no results."""
    if not filters.active or count(SearchFilters()) == 0:
        return None
    named = []
    if filters.published_from or filters.published_to:
        dates = SearchFilters(
            published_from=filters.published_from, published_to=filters.published_to
        )
        if count(dates) == 0:
            named.append("the publication dates")
    if filters.category and count(SearchFilters(category=filters.category)) == 0:
        named.append(f"the arXiv category “{filters.category}”")
    if filters.has_code and count(SearchFilters(has_code=True)) == 0:
        named.append("“With code”")
    return " and ".join(named) if named else "these filters together"
