"""Spelling suggestions for a search that found nothing: "Did you mean …?" from the corpus.

The vocabulary is the words of every visible title (titles name the topics people search
for; abstracts would add ten times the words and mostly noise), counted, read once when a
search first finds no keyword match and again after `search_vocabulary_refresh_s`. A query
word that is not in it is replaced by the closest known word with the same first letter:
one edit away (a letter added, dropped, changed, or two swapped) for words under 8 letters,
two for longer ones; the most frequent wins a tie. So "tranformer" becomes "transformer",
"modles" "models" (not "modules": both are one edit away, "models" is far more common), and
"xyzzy" or "alert" (no title word near it) get no suggestion at all.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable

from dailypapers.domain.search import STOPWORDS

_WORD = re.compile(r"[^\W\d_]{3,}")
LONG_WORD = 8  # letters from which two edits are allowed (one below)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), or limit + 1
    as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


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
        limit = 2 if len(word) >= LONG_WORD else 1
        best: tuple[int, int, str] | None = None  # (distance, -count, word)
        for n in range(len(word) - limit, len(word) + limit + 1):
            for known in self._by_length.get(n, []):
                if known[0] != word[0]:
                    continue
                distance = edit_distance(word, known, limit)
                if distance <= limit:
                    key = (distance, -counts[known], known)
                    best = key if best is None or key < best else best
        return best[2] if best else None

    def suggest(self, query: str, terms: list[str]) -> str | None:
        """`query` with its unknown words spelled as the corpus spells them, or None."""
        fixes = {t: fixed for t in terms if (fixed := self.correct(t))}
        if not fixes:
            return None
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.IGNORECASE)
        return pattern.sub(lambda m: fixes[m.group(0).lower()], query)
