"""Try fusion variants offline on logged hybrid searches (short-query dev set, tune only).

Running hybrid search is the slow part of tuning fusion (embedding each query, both legs),
and fusion only reorders a query's candidates. So `log` runs tools/tune_short_fusion.py
while keeping each hybrid search's fusion inputs (keyword and semantic scores per
candidate, the weight used) and its final hits; `replay` re-fuses those candidates under
other rules and scores them, keeping what fusion doesn't decide: the floors (the kept set)
and an exact match pinned first. Replaying the current rule reproduces the engine's
figure (0.9286 on the 1,162 tune queries, docs/search.md).

    .venv/bin/python tools/fusion_replay.py log /tmp/tune.pkl --split tune --shape all
    .venv/bin/python tools/fusion_replay.py replay /tmp/tune.pkl --split tune

Variants per shape: z-scores (the engine's) and min-max at several weights, weighted
reciprocal rank fusion, a keyword-confidence gate (a larger keyword weight when the best
keyword score leads the second by a share of itself, or by a z-score gap), and a bonus for
candidates the keyword leg found (CombMNZ-like); then the keyword weight per query kind.
"""

from __future__ import annotations

import gzip
import json
import pickle
import runpy
import statistics
import sys
from pathlib import Path

from dailypapers.domain.search import parse_query
from dailypapers.search.evaluation import ndcg_at
from dailypapers.search.fusion import minmax, zscores
from dailypapers.search.query_shape import QUERY_SHAPES, query_shape
from dailypapers.search.short_queries import KINDS, short_queries
from dailypapers.services.demo import demo_data_path

TUNE = Path(__file__).with_name("tune_short_fusion.py")


def log(out: Path, args: list[str]) -> None:
    """Run tools/tune_short_fusion.py with `args`, as its own command line would, in this
    process (runpy: a program run, not a module imported), recording what fusion saw."""
    import dailypapers.search.engine as engine

    records: dict[str, dict] = {}
    current: dict[str, tuple] = {}
    fusion, search = engine.normalised_fusion, engine.SearchEngine.search

    def logged_fusion(keyword, semantic, *, keyword_weight, **kw):
        current["f"] = (dict(keyword), dict(semantic), keyword_weight)
        return fusion(keyword, semantic, keyword_weight=keyword_weight, **kw)

    def logged_search(self, query, *, mode="hybrid", **kw):
        current.pop("f", None)
        page = search(self, query, mode=mode, **kw)
        hits = [h.paper.arxiv_id for h in page.hits]
        records.setdefault(query.strip(), {})[mode] = (hits, current.get("f"))
        return page

    engine.normalised_fusion = logged_fusion
    engine.SearchEngine.search = logged_search
    sys.argv = [TUNE.name, *args]
    try:
        runpy.run_path(str(TUNE), run_name="__main__")
    finally:
        out.write_bytes(pickle.dumps(records))


class Replay:
    def __init__(self, records: dict, split: str) -> None:
        with gzip.open(demo_data_path(), "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        self.records = records
        self.queries = [q for q in short_queries(rows)[1] if q.split == split]
        self.queries = [q for q in self.queries if q.text.strip() in records]
        self.pools = {
            q.query_id: self._pool(records[q.text.strip()]["hybrid"]) for q in self.queries
        }

    @staticmethod
    def _pool(logged) -> dict | None:
        hits, inputs = logged
        if inputs is None:
            return None
        keyword, semantic, weight = inputs
        candidates = set(keyword) | set(semantic)
        floor = min(keyword.values()) if keyword else 0.0
        filled = {c: keyword.get(c, floor) for c in candidates}
        kz, sz = zscores(filled), zscores(semantic)
        fused = {c: weight * kz[c] + (1 - weight) * sz.get(c, kz[c]) for c in candidates}
        kept = [h for h in hits if h in candidates]
        best = max(kept, key=lambda c: (fused[c], c)) if kept else None
        pinned = hits[0] if hits and (hits[0] not in candidates or best != hits[0]) else None
        return {
            "keyword": keyword, "weight": weight, "kept": set(hits), "pinned": pinned,
            "kz": kz, "sz": sz, "km": minmax(filled), "sm": minmax(semantic),
        }  # fmt: skip

    def score(self, rule, *, shapes=None, kinds=None) -> float:
        scores = []
        for q in self.queries:
            if shapes and query_shape(q.text, parse_query(q.text), 3) not in shapes:
                continue
            if kinds and q.kind not in kinds:
                continue
            pool, relevance = self.pools[q.query_id], dict.fromkeys(q.relevant, 1)
            if pool is None:
                scores.append(ndcg_at(self.records[q.text.strip()]["hybrid"][0], relevance))
                continue
            fused = rule(pool)
            order = sorted(pool["kept"], key=lambda c: (-fused[c], c))
            if pool["pinned"]:
                order = [pool["pinned"], *(c for c in order if c != pool["pinned"])]
            scores.append(ndcg_at(order, relevance))
        return statistics.fmean(scores) if scores else float("nan")


def convex(w: float, k: str = "kz", s: str = "sz"):
    return lambda p: {c: w * p[k][c] + (1 - w) * p[s].get(c, p[k][c]) for c in p[k]}


def weighted_rrf(w: float, k: float = 60.0):
    def rule(p):
        def ranks(scores):
            return {c: i for i, c in enumerate(sorted(scores, key=lambda c: -scores[c]), 1)}

        kr, sr = ranks(p["keyword"]), ranks({c: v for c, v in p["sz"].items()})
        return {c: w / (k + kr.get(c, 1000)) + (1 - w) / (k + sr.get(c, 1000)) for c in p["kz"]}

    return rule


def gated(w: float, gate: float, confident: float, *, by_z: bool):
    def rule(p):
        values = sorted((p["kz"] if by_z else p["keyword"]).values(), reverse=True)
        lead = 0.0
        if len(values) > 1:
            lead = values[0] - values[1] if by_z else (values[0] - values[1]) / (values[0] or 1)
        return convex(confident if lead >= gate else w)(p)

    return rule


def bonus(w: float, b: float):
    return lambda p: {c: v + (b if c in p["keyword"] else 0.0) for c, v in convex(w)(p).items()}


def replay(path: Path, split: str) -> None:
    r = Replay(pickle.loads(path.read_bytes()), split)
    current = r.score(lambda p: convex(p["weight"])(p))
    print(f"{len(r.queries)} {split} queries; current rule: {current:.4f}")
    weights = (0.0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 1.0)
    for shape in QUERY_SHAPES:
        s = (shape,)
        print(f"== {shape}: current {r.score(lambda p: convex(p['weight'])(p), shapes=s):.4f}")
        for w in weights:
            z, mm = r.score(convex(w), shapes=s), r.score(convex(w, "km", "sm"), shapes=s)
            rrf = r.score(weighted_rrf(w), shapes=s)
            print(f"  w={w:<4} z {z:.4f}  min-max {mm:.4f}  rrf {rrf:.4f}")
        tried = []
        for w in (0.5, 0.65, 0.8, 0.95):
            for confident in (0.9, 0.95, 1.0):
                for gate in (0.05, 0.1, 0.2, 0.3, 0.5):
                    tried.append(
                        (
                            r.score(gated(w, gate, confident, by_z=False), shapes=s),
                            f"gap {gate} w {w}->{confident}",
                        )
                    )
                for gate in (1, 2, 3, 4):
                    tried.append(
                        (
                            r.score(gated(w, gate, confident, by_z=True), shapes=s),
                            f"z-gap {gate} w {w}->{confident}",
                        )
                    )
            for b in (0.1, 0.25, 0.5, 1.0):
                tried.append((r.score(bonus(w, b), shapes=s), f"bonus {b} w {w}"))
        for value, name in sorted(tried, reverse=True)[:5]:
            print(f"  {value:.4f} {name}")
    for kind in KINDS:
        cells = "  ".join(f"{w}: {r.score(convex(w), kinds=(kind,)):.4f}" for w in weights)
        print(f"{kind}: {cells}")


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in ("log", "replay"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "log":
        log(Path(sys.argv[2]), sys.argv[3:])
    else:
        split = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else "tune"
        replay(Path(sys.argv[2]), split)


if __name__ == "__main__":
    main()
