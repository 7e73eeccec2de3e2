"""Combining ranked lists: reciprocal rank fusion and normalised score fusion.

Keyword scores (bm25) and cosine similarities live on different scales, and bm25's scale even
changes with the query's length, so raw scores can't be added. Two ways round that:
- `rrf`: only ranks count (Cormack et al. 2009), robust and parameter-light;
- `normalised_fusion`: each list's scores are z-scored over the candidate pool and combined
  convexly; it keeps the size of a gap ("this one matches far better") that ranks throw away.
Which is better, and with what weight, is measured by `dailypapers eval beir`
(docs in services/evaluation.py); the service uses the measured winner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def rrf(
    rankings: Sequence[Sequence[str]], *, k: float = 60.0, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: sum over lists of weight / (k + rank), rank counted from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def zscores(scores: Mapping[str, float]) -> dict[str, float]:
    """(x - mean) / std over the given scores; all zero when they don't vary."""
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    if std < 1e-12:
        return dict.fromkeys(scores, 0.0)
    return {key: (value - mean) / std for key, value in scores.items()}


def minmax(scores: Mapping[str, float]) -> dict[str, float]:
    """Scores mapped onto [0, 1]; all 1.0 when they don't vary."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def normalised_fusion(
    keyword: Mapping[str, float],
    semantic: Mapping[str, float],
    *,
    keyword_weight: float,
    missing_keyword: float | None = None,
) -> dict[str, float]:
    """keyword_weight * z(keyword) + (1 - keyword_weight) * z(semantic), per candidate.

    `semantic` should score every candidate that has a vector; a candidate it lacks is scored
    on keyword alone (its meaning is unknown). A candidate the keyword list lacks gets
    `missing_keyword` (default: the lowest keyword score seen, as it ranked below all of them)
    before normalising.
    """
    candidates = set(keyword) | set(semantic)
    if not keyword:
        floor = 0.0
    else:
        floor = min(keyword.values()) if missing_keyword is None else missing_keyword
    kw = zscores({c: keyword.get(c, floor) for c in candidates})
    # A candidate without a semantic score has no vector yet (the indexing job hasn't reached
    # it): its closeness in meaning is unknown, not the worst, so its keyword standing stands
    # in for it. Scoring it as the least similar buried exact-title matches after an import.
    sem = zscores(dict(semantic))
    return {
        c: keyword_weight * kw[c] + (1.0 - keyword_weight) * sem.get(c, kw[c]) for c in candidates
    }


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Keys by descending score, ties broken by key so results are stable."""
    return sorted(scores, key=lambda key: (-scores[key], key))
