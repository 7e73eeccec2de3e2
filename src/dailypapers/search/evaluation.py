"""Measuring search quality: ranking metrics and BEIR-format folders.

nDCG@10 with linear gains (as trec_eval and BEIR compute it), recall@100, latency
percentiles, and readers for a BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).
The `dailypapers eval beir` use case (services/evaluation.py) runs the site's own search over
them; `corpus_key` names the cache of a corpus's vectors so a rerun only embeds queries.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from dailypapers.config import SearchSettings
from dailypapers.errors import BadRequest
from dailypapers.search.recipe import RECIPE


def ndcg_at(ranking: Sequence[str], relevance: dict[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains (trec_eval's ndcg_cut)."""
    dcg = sum(relevance.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted((r for r in relevance.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranking: Sequence[str], relevance: dict[str, int], k: int = 100) -> float:
    relevant = {doc for doc, r in relevance.items() if r > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# --- reading a BEIR folder ---------------------------------------------------------------
def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BadRequest(f"{path}:{number}: not JSON ({exc.msg})") from None


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows, None)
        if header is None or [h.strip() for h in header[:2]] != ["query-id", "corpus-id"]:
            raise BadRequest(f"{path}: expected a header 'query-id corpus-id score'")
        for row in rows:
            if len(row) >= 3:
                qrels.setdefault(row[0], {})[row[1]] = int(float(row[2]))
    return qrels


def corpus_key(path: Path, model: str, settings: SearchSettings) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    for part in (model, RECIPE, str(settings.embedding_max_tokens)):
        h.update(b"\0" + part.encode())
    return h.hexdigest()[:20]
