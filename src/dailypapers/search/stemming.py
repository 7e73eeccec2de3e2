"""The Porter stemmer (M.F. Porter, 1980), the algorithm SQLite's `porter` tokenizer runs.

The index's full stems merge words that only look alike ("rationale" and "rational" both
become "ration"), so the highlighter compares by `inflection_forms` (step 1: plurals, -ed,
-ing) and marks "networks" and "networking" for "network" but never a different word.
"""

from __future__ import annotations

from functools import lru_cache

_VOWELS = frozenset("aeiou")


def _is_consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in _VOWELS:
        return False
    if ch == "y":
        return i == 0 or not _is_consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """m in [C](VC){m}[V]."""
    m, i, n = 0, 0, len(stem)
    while i < n and _is_consonant(stem, i):
        i += 1
    while i < n:
        while i < n and not _is_consonant(stem, i):
            i += 1
        if i >= n:
            break
        while i < n and _is_consonant(stem, i):
            i += 1
        m += 1
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _is_consonant(stem, i) for i in range(len(stem)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _is_consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    if len(word) < 3:
        return False
    return (
        _is_consonant(word, len(word) - 3)
        and not _is_consonant(word, len(word) - 2)
        and _is_consonant(word, len(word) - 1)
        and word[-1] not in "wxy"
    )


def _replace(word: str, suffix: str, repl: str, min_m: int) -> tuple[str, bool]:
    """If word ends with suffix: (replaced if m(stem) > min_m, True); else (word, False)."""
    if not word.endswith(suffix):
        return word, False
    stem = word[: len(word) - len(suffix)]
    if _measure(stem) > min_m:
        return stem + repl, True
    return word, True


_STEP2 = [
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("abli", "able"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
]
_STEP3 = [
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
]
_STEP4 = [
    "al",
    "ance",
    "ence",
    "er",
    "ic",
    "able",
    "ible",
    "ant",
    "ement",
    "ment",
    "ent",
    "ion",
    "ou",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
]


@lru_cache(maxsize=65536)
def inflection_forms(word: str) -> tuple[str, ...]:
    """Porter's step 1 only: plurals, -ed, -ing, final -y ("models", "modeling" -> "model";
    "studies", "study" -> "studi"). These change a word's form, not its meaning, so the
    highlighter compares words by these: the full stem also strips derivations and makes
    one of different words ("rationale" and "Rational" -> "ration"). A word that lost -ed or
    -ing also stands for the form with a final e ("proposed" -> "propos", "propose"), which
    step 1 leaves to step 5; two words are the same word when their forms meet."""
    w, stripped = _step1(word)
    return (w, w + "e") if stripped and not w.endswith("e") else (w,)


def _step1(word: str) -> tuple[str, bool]:
    """Step 1 of Porter, and whether it took off -ed or -ing."""
    if len(word) <= 2 or not word.isalpha() or not word.isascii():
        return word, False
    w = word
    # step 1a
    if w.endswith("sses") or w.endswith("ies"):
        w = w[:-2]
    elif w.endswith("ss"):
        pass
    elif w.endswith("s"):
        w = w[:-1]
    # step 1b
    second_third = False
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    elif w.endswith("ed") and _has_vowel(w[:-2]):
        w, second_third = w[:-2], True
    elif w.endswith("ing") and _has_vowel(w[:-3]):
        w, second_third = w[:-3], True
    if second_third:
        if w.endswith(("at", "bl", "iz")):
            w += "e"
        elif _double_consonant(w) and w[-1] not in "lsz":
            w = w[:-1]
        elif _measure(w) == 1 and _cvc(w):
            w += "e"
    # step 1c
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    return w, second_third


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Porter stem of a lower-case word (words of 1-2 letters are returned as they are)."""
    if len(word) <= 2 or not word.isalpha() or not word.isascii():
        return word
    w, _ = _step1(word)
    # step 2
    for suffix, repl in _STEP2:
        w, hit = _replace(w, suffix, repl, 0)
        if hit:
            break
    # step 3
    for suffix, repl in _STEP3:
        w, hit = _replace(w, suffix, repl, 0)
        if hit:
            break
    # step 4
    for suffix in _STEP4:
        if not w.endswith(suffix):
            continue
        stem_ = w[: len(w) - len(suffix)]
        if _measure(stem_) > 1 and (suffix != "ion" or stem_.endswith(("s", "t"))):
            w = stem_
        break
    # step 5a
    if w.endswith("e"):
        stem_ = w[:-1]
        m = _measure(stem_)
        if m > 1 or (m == 1 and not _cvc(stem_)):
            w = stem_
    # step 5b
    if _measure(w) > 1 and _double_consonant(w) and w.endswith("l"):
        w = w[:-1]
    return w
