"""What a query looks like, so hybrid fusion can weigh its two legs for that kind of query.

The fusion weight tuned on SciFact's long claims (keyword 0.35) is wrong for what people type
into a paper search box. Measured on the short-query tune split (`dailypapers eval short`,
`tools/tune_short_fusion.py`, docs/search.md), three shapes want different weights:
- `short`: at most `search_short_query_words` words ("speculative decoding"): a topic;
- `keywords`: more words than that, none of them a stopword and none quoted, and no full
  stop at the end ("diffusion transformer video generation temporal consistency"): a list
  of keywords, pasted or typed; a terse claim ends like a sentence ("Cold exposure increases
  BAT recruitment.": SciFact's and CISI's lost up to 0.3 nDCG@10 each at the keyword
  lists' weight);
- `sentence`: everything else, a claim, a question or a title with its little words
  ("Attention is all you need"; exact titles go first anyway, search/exact.py).
- `phrase`: nothing but quoted phrases (`"chain of thought"`): every candidate holds them
  (the keyword leg requires them, and the vectors' finds are held to them), so bm25 only
  counts how often the words recur, and meaning ranks the holders better (tune split's
  quoted phrases, nDCG@10: 0.892 at the short weight, 0.918 at 0.35, 0.926 at 0).
The shape is read from the words alone (no model), so it is free at query time.
"""

from __future__ import annotations

from typing import Literal

from dailypapers.config import SearchSettings
from dailypapers.domain.search import QueryParts, query_terms

QueryShape = Literal["short", "keywords", "sentence", "phrase"]
QUERY_SHAPES: tuple[QueryShape, ...] = ("short", "keywords", "sentence", "phrase")
# The setting that holds each shape's keyword weight in the fusion (config.py).
WEIGHT_SETTINGS: dict[QueryShape, str] = {
    "short": "search_short_query_keyword_weight",
    "keywords": "search_keyword_list_keyword_weight",
    "sentence": "search_keyword_weight",
    "phrase": "search_phrase_query_keyword_weight",
}


def query_shape(query: str, parts: QueryParts, short_words: int) -> QueryShape:
    """The shape of `query` (parsed as `parts`); `short_words` bounds a short query."""
    if parts.phrases and {w for p in parts.phrases for w in p} >= set(parts.terms):
        return "phrase"
    if len(parts.terms) <= short_words:
        return "short"
    if parts.constrained:  # quotes and exclusions: someone writing a query, not a list
        return "sentence"
    if query.rstrip().endswith((".", "?", "!")):  # a claim or a question, however terse
        return "sentence"
    every_word = query_terms(query, keep_stopwords=True)
    if len(every_word) == len(parts.terms):  # not one stopword among them
        return "keywords"
    return "sentence"


def keyword_weight(settings: SearchSettings, query: str, parts: QueryParts) -> float:
    """Query-aware fusion: the keyword weight of `query`'s shape."""
    shape = query_shape(query, parts, settings.search_short_query_words)
    return float(getattr(settings, WEIGHT_SETTINGS[shape]))
