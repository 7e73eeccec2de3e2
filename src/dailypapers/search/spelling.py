"""Spelling suggestions for a search that found nothing: "Did you mean …?" from the corpus.

The vocabulary is the words of every visible title (titles name the topics people search
for; abstracts would add ten times the words and mostly noise), counted, read once when a
search first finds nothing and again after `search_vocabulary_refresh_s`. A query word that
is not in it is replaced by the closest known word (difflib's ratio >= 0.8, among words of
about its length; the most frequent wins a tie), so "tranformer" becomes "transformer" and
"xyzzy" gets no suggestion at all. At 75k titles the vocabulary holds ~40k words and reads
in about a second; a suggestion takes a few milliseconds.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

from dailypapers.domain.search import STOPWORDS

_WORD = re.compile(r"[^\W\d_]{3,}")
CUTOFF = 0.8  # difflib ratio: one edit in a word of 8-10 letters, none in a short one


class Vocabulary:
    def __init__(self, titles: Callable[[], Iterable[str]], refresh_s: float) -> None:
        self._titles = titles
        self._refresh_s = refresh_s
        self._counts: Counter[str] | None = None
        self._by_length: dict[int, list[str]] = {}
        self._loaded = float("-inf")
        self._lock = threading.Lock()

    def _words(self) -> Counter[str]:
        with self._lock:
            if self._counts is None or time.monotonic() - self._loaded > self._refresh_s:
                counts: Counter[str] = Counter()
                for title in self._titles():
                    counts.update(w.lower() for w in _WORD.findall(title))
                by_length: dict[int, list[str]] = {}
                for word in counts:
                    by_length.setdefault(len(word), []).append(word)
                self._counts, self._by_length = counts, by_length
                self._loaded = time.monotonic()
            return self._counts

    def correct(self, word: str) -> str | None:
        """The known word closest to `word`, or None (known already, or nothing close)."""
        counts = self._words()
        if word in counts or len(word) < 4 or not word.isalpha() or word in STOPWORDS:
            return None
        pool = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(n, [])]
        close = difflib.get_close_matches(word, pool, n=5, cutoff=CUTOFF)
        if not close:
            return None
        ratio = {w: difflib.SequenceMatcher(None, word, w).ratio() for w in close}
        return max(close, key=lambda w: (round(ratio[w], 2), counts[w]))

    def suggest(self, query: str, terms: list[str]) -> str | None:
        """`query` with its unknown words spelled as the corpus spells them, or None."""
        fixes = {t: fixed for t in terms if (fixed := self.correct(t))}
        if not fixes:
            return None
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.IGNORECASE)
        return pattern.sub(lambda m: fixes[m.group(0).lower()], query)
