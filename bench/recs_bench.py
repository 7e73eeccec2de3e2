"""Recommendations benchmark (on demand; not part of the test suite). Prints two tables.

    .venv/bin/python bench/recs_bench.py [--scale 75000] [--users 20] [--min-papers 12]

Needs scikit-learn for the arxiv-sanity-lite baseline (`pip install -e .[bench]`).

1. Latency: fit + score per user at the demo's 1,219 papers and at `--scale` vectors (the
   demo's real MiniLM vectors replicated with small noise, cosine ~0.95, as
   bench/search_bench.py does: embedding 74.7k abstracts takes an hour on 2 cores). Each user
   has 20 positives and 2 dislikes. Methods:
   - `ridge (ours): refit + score`: search/user_model.fit + one matrix-vector product over
     every paper; the background statistics (a 2,000-paper sample) are computed once per
     window and shared by every reader (its own row: `window background (once)`);
   - `ridge (ours): stored weights`: the page load when the reader's stored model
     (`user_models`, refreshed by a job when the history changes) is current: scoring only;
   - `centroid`: mean of the history, one matrix-vector product;
   - `svm (arxiv-sanity-lite)`: its recipe, `LinearSVC(class_weight="balanced", C=0.01,
     tol=1e-6, max_iter=10000)` refit over the whole corpus on every request, then
     `decision_function` over it (on the same 384-d vectors; arxiv-sanity uses TF-IDF).
2. Offline quality on the demo papers (real vectors): simulated readers, one per HF
   `ai_keywords` phrase found on at least `--min-papers` papers. A reader's history is the
   chronologically first 70% of that phrase's papers (at most 30); the held-out positives are
   the rest. Every paper featured from the first held-out day on (history excluded) is
   ranked; we report recall@50, nDCG@50 and precision@10 of the held-out papers, mean and
   spread over readers, for ours, the centroid, arxiv-sanity's SVM and popularity (HF
   upvotes: the trending baseline). The phrase is HF's LLM label, not the text the vectors
   read, so this is a proxy for topical taste; the issue's submitter-based split needs the
   whole HF set embedded (9.9k papers), which the demo does not ship.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from dailypapers.search.user_model import background_of, centroid_scores, fit

DEMO = Path(__file__).resolve().parents[1] / "src" / "dailypapers" / "demo"


def load_demo() -> tuple[list[str], np.ndarray, dict[str, dict]]:
    z = np.load(DEMO / "embeddings.npz")
    ids = [str(i) for i in z["ids"]]
    rows = {}
    with gzip.open(DEMO / "hf_daily_papers.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            rows.setdefault(row["arxiv_id"], row)
    return ids, z["vectors"].astype(np.float32), rows


def scaled(matrix: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    reps = math.ceil(n / len(matrix))
    big = np.vstack([matrix] * reps)[:n].copy()
    big[len(matrix) :] += rng.normal(0, 0.012, big[len(matrix) :].shape).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    return big


def svm_scores(matrix: np.ndarray, positive_rows: np.ndarray) -> np.ndarray:
    from sklearn.svm import LinearSVC

    y = np.zeros(len(matrix), np.int32)
    y[positive_rows] = 1
    clf = LinearSVC(class_weight="balanced", C=0.01, tol=1e-6, max_iter=10000)
    clf.fit(matrix, y)
    return clf.decision_function(matrix)


def ours(matrix: np.ndarray, pos: np.ndarray, neg: np.ndarray, background) -> np.ndarray:
    return fit(matrix[pos], matrix[neg], background).score(matrix)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def latency(matrix: np.ndarray, users: int, rng: np.random.Generator, svm: bool) -> list[str]:
    timings: dict[str, list[float]] = defaultdict(list)
    cpu_ms: dict[str, list[float]] = defaultdict(list)
    started, cpu = time.perf_counter(), time.thread_time()
    rows = rng.choice(len(matrix), min(2000, len(matrix)), replace=False)
    background = background_of(matrix[np.sort(rows)])
    timings["ridge: window background (once)"].append((time.perf_counter() - started) * 1000)
    cpu_ms["ridge: window background (once)"].append((time.thread_time() - cpu) * 1000)
    for _ in range(users):
        chosen = rng.choice(len(matrix), 22, replace=False)
        pos, neg = chosen[:20], chosen[20:]
        stored = fit(matrix[pos], matrix[neg], background)  # what user_models holds
        for name, run in (
            (
                "ridge (ours): refit + score",
                lambda pos=pos, neg=neg: ours(matrix, pos, neg, background),
            ),
            ("ridge (ours): stored weights", lambda stored=stored: stored.score(matrix)),
            ("centroid", lambda pos=pos: centroid_scores(matrix[pos], matrix)),
            *(
                (("svm (arxiv-sanity-lite)", lambda pos=pos: svm_scores(matrix, pos)),)
                if svm
                else ()
            ),
        ):
            started, cpu = time.perf_counter(), time.thread_time()
            run()
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu_ms[name].append((time.thread_time() - cpu) * 1000)
    return [
        f"| {len(matrix):>7,} | {name:<32} | {statistics.median(t):9.1f} | {pct(t, 0.95):9.1f} "
        f"| {statistics.median(cpu_ms[name]):9.1f} |"
        for name, t in timings.items()
    ]


def ndcg(ranked: list[int], relevant: set[int], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(ranked[:k]) if r in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def quality(min_papers: int) -> list[str]:
    ids, matrix, rows = load_demo()
    position = {a: i for i, a in enumerate(ids)}
    day = [rows[a]["date"] for a in ids]
    upvotes = np.array([rows[a].get("upvotes") or 0 for a in ids], np.float32)
    by_phrase: dict[str, list[int]] = defaultdict(list)
    for a in ids:
        for phrase in {k.casefold() for k in rows[a].get("ai_keywords") or ()}:
            by_phrase[phrase].append(position[a])
    rng = np.random.default_rng(0)
    results: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    readers = 0
    for _phrase, members in sorted(by_phrase.items()):
        if len(members) < min_papers:
            continue
        members.sort(key=lambda i: (day[i], ids[i]))
        cut = int(len(members) * 0.7)
        history, held = members[:cut][-30:], members[cut:]
        first = day[held[0]]
        pool = [i for i in range(len(ids)) if day[i] >= first and i not in set(history)]
        relevant = {i for i in held if i in set(pool)}
        if not relevant or day[history[-1]] >= first:
            continue
        readers += 1
        sub = matrix[pool]
        background = matrix[rng.choice(len(ids), min(2000, len(ids)), replace=False)]
        empty = np.zeros((0, matrix.shape[1]), np.float32)
        scores = {
            "ridge (ours)": fit(matrix[history], empty, background).score(sub),
            "centroid": centroid_scores(matrix[history], sub),
            "popularity": upvotes[pool],
        }
        both = np.vstack([matrix[history], sub])
        scores["svm (arxiv-sanity-lite)"] = svm_scores(both, np.arange(len(history)))[
            len(history) :
        ]
        for name, s in scores.items():
            order = [pool[i] for i in np.argsort(-s, kind="stable")]
            results[name]["recall@50"].append(len(set(order[:50]) & relevant) / len(relevant))
            results[name]["ndcg@50"].append(ndcg(order, relevant, 50))
            results[name]["p@10"].append(len(set(order[:10]) & relevant) / 10)
    lines = [f"readers: {readers} (ai_keywords phrases on >= {min_papers} demo papers)", ""]
    lines.append(
        "| method                   | recall@50 mean (p25-p75) | nDCG@50 mean (p25-p75) |"
        " p@10 mean |"
    )
    lines.append("|---|---|---|---|")
    for name, metrics in results.items():
        r, n, p = metrics["recall@50"], metrics["ndcg@50"], metrics["p@10"]
        lines.append(
            f"| {name:<24} | {statistics.mean(r):.3f} ({pct(r, 0.25):.2f}-{pct(r, 0.75):.2f})"
            f"       | {statistics.mean(n):.3f} ({pct(n, 0.25):.2f}-{pct(n, 0.75):.2f})"
            f"     | {statistics.mean(p):.3f}     |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=75_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--min-papers", type=int, default=12)
    parser.add_argument("--no-svm-at-scale", action="store_true")
    args = parser.parse_args()
    # One BLAS thread for every method (a web request gets one core; liblinear uses one),
    # and CPU time beside wall time: on a shared 2-core host wall time is mostly waiting.
    threadpool_limits(1, user_api="blas")
    rng = np.random.default_rng(1)
    _, matrix, _ = load_demo()
    print("## fit + score per user, ms (20 positives, 2 dislikes; one BLAS thread)\n")
    print("|  papers | method                           |  wall p50 |  wall p95 |   CPU p50 |")
    print("|---|---|---|---|---|")
    for line in latency(matrix, args.users, rng, svm=True):
        print(line)
    big = scaled(matrix, args.scale, rng)
    users = args.users if args.no_svm_at_scale else max(3, args.users // 4)
    for line in latency(big, users, rng, svm=not args.no_svm_at_scale):
        print(line)
    print("\n## offline quality on the demo papers (simulated readers)\n")
    for line in quality(args.min_papers):
        print(line)


if __name__ == "__main__":
    main()
