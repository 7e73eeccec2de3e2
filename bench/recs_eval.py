"""For-you on real histories: the issue's offline evaluation (on demand; prints tables).

    .venv/bin/python bench/recs_eval.py [--min-submissions 10] [--split report|tune|all]

The readers are the real Hugging Face submitters of ../shared/data/hf_daily_papers
(`submitted_by`): everyone with at least `--min-submissions` papers. A reader's history is
their chronologically first 70% of submissions; the period of the remaining 30% (first to
last held-out day) is the window. Every paper featured in that window and not in the history
is ranked, and we measure recall@50 and nDCG@50 of the held-out submissions, per reader,
then mean, median and quartiles over readers, for:

- `ours (For you)`: the production code path, end to end. The HF rows are imported into a
  temporary SQLite database (`ImportService`, as `dailypapers import` does), each reader is
  a real user whose history papers are upvotes (`VoteService.set_vote`), and the ranking is
  `RecommendationService.recommend` with its window set to the held-out period (a fixed
  clock at the period's last day, `recs_window_days` its length);
- `popularity`: HF upvotes (the trending baseline);
- `centroid`: cosine similarity to the mean of the history vectors.

Vectors: the production recipe (search/recipe.embed_papers, the bundled int8 MiniLM). Only
the papers the readers need (their histories and windows) are embedded; vectors are cached
in bench/.cache/recs_eval_vectors.npz (git-ignored, written after every batch so an
interrupted run resumes), seeded from the shipped demo vectors. Embedding all ~9.4k needed
papers takes 10-25 minutes on 2 busy cores, once.

Readers are split in two by a hash of their name: `tune` (for choosing the model's
parameters, see ModelParams) and `report` (the figures quoted). `--split all` shows both.
`--grid` scores model variants (ridge penalty, a blend with popularity) on the tune readers
in memory; `--param l2=0.001` runs the service with other ModelParams.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

import numpy as np

from dailypapers.config import Settings
from dailypapers.search.recipe import embed_papers, text_hash
from dailypapers.search.user_model import ModelParams, background_of, centroid_scores, fit
from dailypapers.search.vector_files import read_vectors, write_vectors
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.services.demo import demo_embeddings_path
from dailypapers.services.recommendations import RecommendationService

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "hf_daily_papers" / "daily_papers.jsonl.gz"
CACHE = ROOT / "bench" / ".cache" / "recs_eval_vectors.npz"
K = 50
BATCH = 128


@dataclass(frozen=True, slots=True)
class Reader:
    name: str
    history: list[str]  # arXiv ids, oldest first
    held: list[str]  # the held-out submissions
    start: date  # the held-out period
    end: date

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.name.encode()).digest()
        return "tune" if digest[0] % 2 else "report"


def load_rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def readers_of(rows: list[dict], min_submissions: int) -> list[Reader]:
    by_submitter: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        if row.get("submitted_by"):
            by_submitter[row["submitted_by"]].setdefault(row["arxiv_id"], row["date"])
    out = []
    for name, days in sorted(by_submitter.items()):
        if len(days) < min_submissions:
            continue
        ordered = sorted(days, key=lambda a: (days[a], a))
        cut = int(len(ordered) * 0.7)
        history, held = ordered[:cut], ordered[cut:]
        start, end = date.fromisoformat(days[held[0]]), date.fromisoformat(days[held[-1]])
        out.append(Reader(name, history, held, start, end))
    return out


def needed_ids(rows: list[dict], readers: list[Reader]) -> set[str]:
    needed: set[str] = set()
    for reader in readers:
        needed.update(reader.history)
        first, last = reader.start.isoformat(), reader.end.isoformat()
        needed.update(r["arxiv_id"] for r in rows if first <= r["date"] <= last)
    return needed


def build_database(folder: Path) -> Services:
    settings = Settings(data_dir=folder, require_verified_email=False)
    services = bootstrap(settings)
    services.upgrade_schema()
    started = time.perf_counter()
    services.imports.import_file(DATA, "hf-daily")
    print(f"imported the HF rows in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return services


def ensure_vectors(
    services: Services, ids: set[str], *, embed: bool = True
) -> dict[str, np.ndarray]:
    """Paper vectors for `ids` (those the database has), embedding what the cache lacks
    (unless not `embed`: a quick look with what is cached)."""
    index = services.embedding
    model = index.model
    papers = services.papers.get_many(sorted(ids))
    wanted = {a: text_hash(model, p.title, p.abstract) for a, p in papers.items()}
    records = {}
    for source in (demo_embeddings_path(), CACHE):
        if source.is_file():
            file_model, stored = read_vectors(source)
            if file_model == model:
                records.update(
                    {r.arxiv_id: r for r in stored if wanted.get(r.arxiv_id) == r.text_hash}
                )
    missing = sorted(a for a in wanted if a not in records)
    print(f"{len(records):,} vectors cached, {len(missing):,} to embed", file=sys.stderr)
    if missing and embed:
        embedder = index.embedders.get()
        started = time.perf_counter()
        for at in range(0, len(missing), BATCH):
            chunk = [(a, papers[a].title, papers[a].abstract) for a in missing[at : at + BATCH]]
            records.update({r.arxiv_id: r for r in embed_papers(embedder, chunk, model)})
            write_vectors(CACHE, model, list(records.values()))
            done = min(at + BATCH, len(missing))
            rate = done / (time.perf_counter() - started)
            print(f"embedded {done:,}/{len(missing):,} ({rate:.1f} papers/s)", file=sys.stderr)
    elif not missing and not CACHE.is_file():
        write_vectors(CACHE, model, list(records.values()))
    index.import_vectors(CACHE)
    return {a: r.vector for a, r in records.items()}


def ranked_by_service(
    services: Services, reader: Reader, password: str, params: ModelParams
) -> list[str]:
    """The reader's For-you ranking, top K, through the production service."""
    user = services.community.accounts.create_user(
        f"r{hashlib.sha256(reader.name.encode()).hexdigest()[:12]}",
        f"{hashlib.sha256(reader.name.encode()).hexdigest()[:12]}@example.org",
        password,
        verified=True,
    )
    for arxiv_id in reader.history:
        services.community.votes.set_vote(user, arxiv_id, True)
    days = (reader.end - reader.start).days + 1
    # model_copy does not validate: a held-out period may be longer than the setting's
    # 366-day ceiling for a live site
    settings = services.settings.model_copy(update={"recs_window_days": days})
    at = datetime.combine(reader.end, clock_time(12), UTC)
    service = RecommendationService(
        settings,
        services.recommendations.store,
        services.papers,
        services.recommendations.embeddings,
        services.recommendations.model,
        services.listings,
        lambda: at,
    )
    service.params = params
    assert service.window() == (reader.start, reader.end), service.window()
    return [r.paper.arxiv_id for r in service.recommend(user, limit=K).items]


def recall(ranked: list[str], relevant: set[str], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg(ranked: list[str], relevant: set[str], k: int = K) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, a in enumerate(ranked[:k]) if a in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def evaluate(
    services: Services,
    readers: list[Reader],
    vectors: dict[str, np.ndarray],
    upvotes: dict[str, int],
    params: ModelParams,
) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {reader: {metric: value}}} for readers with a held-out paper in their window."""
    out: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for reader in readers:
        seen = set(reader.history)
        window = services.papers.listing_candidates(reader.start, reader.end)
        pool = sorted({a for a, _, _ in window if a not in seen and a in vectors})
        relevant = set(reader.held) & set(pool)
        known = [a for a in reader.history if a in vectors]
        if not relevant or not known:
            continue
        matrix = np.vstack([vectors[a] for a in pool])
        history = np.vstack([vectors[a] for a in known])
        rankings = {
            "ours (For you)": ranked_by_service(services, reader, "eval-password-1", params),
            "centroid": _order(pool, centroid_scores(history, matrix)),
            "popularity": _order(pool, np.array([upvotes.get(a, 0) for a in pool], np.float32)),
        }
        for method, ranked in rankings.items():
            out[method][reader.name] = {
                "recall@50": recall(ranked, relevant),
                "nDCG@50": ndcg(ranked, relevant),
            }
    return out


def _order(pool: list[str], scores: np.ndarray) -> list[str]:
    return [pool[i] for i in np.argsort(-scores, kind="stable")[:K]]


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[1], q[2]


def table(results: dict[str, dict[str, dict[str, float]]], names: set[str], title: str) -> None:
    print(f"\n## {title}: {len(names)} readers\n")
    print("| method | recall@50 mean | median | p25-p75 | nDCG@50 mean | median | p25-p75 |")
    print("|---|---|---|---|---|---|---|")
    for method, per_reader in results.items():
        cells = []
        for metric in ("recall@50", "nDCG@50"):
            values = [m[metric] for name, m in per_reader.items() if name in names]
            q1, q2, q3 = quartiles(values)
            cells.append(f"{statistics.mean(values):.3f} | {q2:.3f} | {q1:.3f}-{q3:.3f}")
        print(f"| {method} | {' | '.join(cells)} |")


def grid(
    rows: list[dict],
    readers: list[Reader],
    vectors: dict[str, np.ndarray],
    upvotes: dict[str, int],
    limit: int,
) -> None:
    """Model variants on the `tune` readers, in memory (the same pools, background sample
    and search/user_model.fit as the service; `--split tune` without `--grid` reproduces the
    default's row through the service)."""
    cases = []
    for reader in (r for r in readers if r.split == "tune"):
        first, last = reader.start.isoformat(), reader.end.isoformat()
        window = sorted({r["arxiv_id"] for r in rows if first <= r["date"] <= last} & set(vectors))
        pool = [a for a in window if a not in set(reader.history)]
        relevant = set(reader.held) & set(pool)
        known = [a for a in reader.history if a in vectors]
        if not relevant or not known:
            continue
        sample = np.vstack([vectors[a] for a in window])
        if len(sample) > limit:
            sample = sample[np.sort(np.random.default_rng(0).choice(len(sample), limit, False))]
        popular = np.log1p(np.array([upvotes.get(a, 0) for a in pool], np.float32))
        matrix, history = (
            np.vstack([vectors[a] for a in pool]),
            np.vstack([vectors[a] for a in known]),
        )
        cases.append((pool, matrix, history, background_of(sample), popular, relevant))

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / (x.std() or 1.0)

    def ridge(l2: float, matrix, history, background) -> np.ndarray:
        none = np.zeros((0, history.shape[1]), np.float32)
        return fit(history, none, background, ModelParams(l2=l2)).score(matrix)

    variants = {
        "centroid": lambda m, h, b, p: centroid_scores(h, m),
        "popularity": lambda m, h, b, p: p,
        **{
            f"ridge l2={l2}": lambda m, h, b, p, l2=l2: ridge(l2, m, h, b)
            for l2 in (0.001, 0.01, 0.1, 1.0)
        },
        **{
            f"ridge l2=0.01 + {beta} x popularity (z-scores)": (
                lambda m, h, b, p, beta=beta: z(ridge(0.01, m, h, b)) + beta * z(p)
            )
            for beta in (0.1, 0.3, 0.5)
        },
    }
    print(f"\n## variants on the tune readers ({len(cases)}), in memory\n")
    print("| variant | recall@50 mean | median | nDCG@50 mean |")
    print("|---|---|---|---|")
    for name, score in variants.items():
        r, n = [], []
        for pool, matrix, history, background, popular, relevant in cases:
            ranked = _order(pool, score(matrix, history, background, popular))
            r.append(recall(ranked, relevant))
            n.append(ndcg(ranked, relevant))
        mean, median = statistics.mean(r), statistics.median(r)
        print(f"| {name} | {mean:.3f} | {median:.3f} | {statistics.mean(n):.3f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-submissions", type=int, default=10)
    parser.add_argument("--split", choices=("report", "tune", "all"), default="all")
    parser.add_argument("--embed-only", action="store_true")
    parser.add_argument("--no-embed", action="store_true", help="only the cached vectors")
    parser.add_argument("--grid", action="store_true", help="model variants on tune readers")
    parser.add_argument(
        "--param", action="append", default=[], help="a ModelParams field, e.g. l2=0.05"
    )
    args = parser.parse_args()
    rows = load_rows(DATA)
    readers = readers_of(rows, args.min_submissions)
    needed = needed_ids(rows, readers)
    print(f"{len(readers)} readers, {len(needed):,} papers needed", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        services = build_database(Path(folder))
        try:
            vectors = ensure_vectors(services, needed, embed=not args.no_embed)
            if args.embed_only:
                return 0
            if args.grid:
                grid(
                    rows, readers, vectors, _upvotes(rows), services.settings.recs_background_limit
                )
                return 0
            upvotes = _upvotes(rows)
            params = ModelParams(**dict(_param(p) for p in args.param))
            started = time.perf_counter()
            chosen = [r for r in readers if args.split in ("all", r.split)]
            results = evaluate(services, chosen, vectors, upvotes, params)
            seconds = time.perf_counter() - started
        finally:
            services.close()
    scored = set(results["popularity"])
    print(f"model parameters: {params}; {seconds:.0f} s")
    splits = {
        "report": {r.name for r in readers if r.split == "report"} & scored,
        "tune": {r.name for r in readers if r.split == "tune"} & scored,
        "all": scored,
    }
    for split in ("report", "tune", "all") if args.split == "all" else (args.split,):
        table(results, splits[split], f"{split} readers")
    return 0


def _upvotes(rows: list[dict]) -> dict[str, int]:
    """HF upvotes per paper (its highest count where it was featured twice)."""
    upvotes: dict[str, int] = {}
    for row in rows:
        upvotes[row["arxiv_id"]] = max(upvotes.get(row["arxiv_id"], 0), row["upvotes"] or 0)
    return upvotes


def _param(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    return name, float(value)


if __name__ == "__main__":
    sys.exit(main())
