"""Choose the query-aware fusion weights on the short-query tune split (never test).

Loads the short-query collection once (search/short_queries.py, the demo's papers and
vectors), picks the queries of one shape (search/query_shape.py: `short`, `keywords`,
`sentence`, or `all`), prints keyword, semantic and plain reciprocal rank fusion (k=60, of
those two rankings) as baselines, then runs hybrid search with that shape's weight set to
each candidate value, printing nDCG@10 and recall@100 per weight:

    .venv/bin/python tools/tune_short_fusion.py [--split tune] [--shape short]
        [--weights 0.2,0.35,0.5,0.65] [--setting NAME=VALUE ...]

Also MRR@10 and the share of queries with a relevant paper in the top 3 (known items), and
`--kind title --embedded 0.33` keeps vectors for only a third of the papers.
`--without-keywords` leaves the documents' HF keywords out (arXiv-only papers have none);
`--keyphrases` computes keyphrases for the papers without HF keywords (search/keyphrases.py,
as `dailypapers index` does; cached in the eval cache), which migration 0015 puts in their
keywords field.
`--setting` fixes other settings for the whole run (say, a weight already chosen);
`--fts-weights 2,1,K,A` (repeatable) first sets SQLite's bm25 column weights (title,
abstract, keywords, authors) and prints keyword search with each, the last one staying.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.domain.search import parse_query
from dailypapers.search.evaluation import ndcg_at, recall_at
from dailypapers.search.fusion import ranked, rrf
from dailypapers.search.query_shape import QUERY_SHAPES, WEIGHT_SETTINGS, query_shape
from dailypapers.search.short_queries import short_queries, write_collection
from dailypapers.services.demo import demo_data_path, demo_embeddings_path
from dailypapers.services.evaluation import EvaluationService


def _scores(rankings: dict[str, list[str]], queries) -> tuple[float, float, float, float]:
    """nDCG@10, recall@100, MRR@10 and the share with a relevant paper in the top 3."""
    ndcgs, recalls, rrs, top3 = [], [], [], []
    for q in queries:
        relevance = dict.fromkeys(q.relevant, 1)
        ranking = rankings[q.query_id]
        ndcgs.append(ndcg_at(ranking, relevance))
        recalls.append(recall_at(ranking, relevance))
        first = next((i for i, a in enumerate(ranking[:10], start=1) if a in relevance), None)
        rrs.append(1 / first if first else 0.0)
        top3.append(first is not None and first <= 3)
    return (
        statistics.fmean(ndcgs),
        statistics.fmean(recalls),
        statistics.fmean(rrs),
        statistics.fmean(top3),
    )


def _line(label: str, scores: tuple[float, ...]) -> str:
    return f"{label:<20} " + "  ".join(f"{s:.4f}" for s in scores)


def _keyphrases(services, cache_dir: Path, without_keywords: bool) -> None:
    """Keyphrases for the papers without HF keywords, computed once and then cached (the
    cache is not keyed by the keyphrase settings: delete it after changing them)."""
    cache = cache_dir / f"short-queries-keyphrases-{'all' if without_keywords else 'bare'}.json"
    store, model = services.keyphrases.store, services.keyphrases.model
    if cache.is_file():
        rows = json.loads(cache.read_text())
        store.save(model, [(a, h, p) for a, h, p in rows], now=services.clock())
    else:
        services.keyphrases.run()
        with services.db.read() as conn:
            rows = [
                [a, h, json.loads(p) if isinstance(p, str) else p]
                for a, h, p in conn.exec_driver_sql(
                    "SELECT arxiv_id, text_hash, phrases FROM paper_keyphrases"
                )
            ]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(rows))
    print(f"keyphrases: {len(rows)} papers")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="tune")
    parser.add_argument("--shape", default="short", choices=[*QUERY_SHAPES, "all"])
    parser.add_argument("--weights", default="0.2,0.35,0.5,0.65")
    parser.add_argument("--setting", action="append", default=[])
    parser.add_argument(
        "--fts-weights",
        action="append",
        default=[],
        help="bm25 column weights (title, abstract, keywords, authors), e.g. 2,1,1,1: "
        "prints keyword search for each (repeatable), before the fusion weights",
    )
    parser.add_argument("--no-fusion", action="store_true", help="only the baselines")
    parser.add_argument(
        "--without-keywords",
        action="store_true",
        help="documents without their HF keywords, as arXiv-only papers are",
    )
    parser.add_argument(
        "--keyphrases",
        action="store_true",
        help="compute keyphrases for the papers without HF keywords (their keywords field)",
    )
    parser.add_argument(
        "--kind", default=None, help="only queries of these kinds (title,author,...)"
    )
    parser.add_argument(
        "--embedded",
        type=float,
        default=1.0,
        help="keep vectors for only this share of the papers (every n-th row), as after an "
        "import that `dailypapers index` has not caught up with",
    )
    args = parser.parse_args()
    fixed = dict(s.split("=", 1) for s in args.setting)
    settings = Settings(**fixed)
    evaluation = EvaluationService(settings)
    with gzip.open(demo_data_path(), "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    corpus, queries = short_queries(rows)
    if args.without_keywords:
        corpus = [{k: v for k, v in doc.items() if k != "keywords"} for doc in corpus]
    chosen = [
        q
        for q in queries
        if q.split == args.split
        and (args.kind is None or q.kind in args.kind.split(","))
        and (
            args.shape == "all"
            or query_shape(q.text, parse_query(q.text), settings.search_short_query_words)
            == args.shape
        )
    ]
    workdir = Path(tempfile.mkdtemp(prefix="dailypapers-tune-"))
    try:
        folder = workdir / "eval-short-queries"
        write_collection(folder, corpus, queries)
        cache = evaluation._cache_path(folder / "corpus.jsonl", evaluation.embedders.model)
        if not cache.is_file():
            cache.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(demo_embeddings_path(), cache)
        services = evaluation._services(workdir)
        try:
            evaluation._load_corpus(services, folder / "corpus.jsonl")
            evaluation._embed(services, folder / "corpus.jsonl", None)
            if args.keyphrases:
                _keyphrases(services, evaluation.cache_dir(), args.without_keywords)
            engine = services.search.engine
            if args.embedded < 1.0:
                every = round(1 / args.embedded)
                with services.db.write() as conn:
                    conn.exec_driver_sql(f"DELETE FROM embeddings WHERE id % {every} != 0")
                engine.invalidate()
                print(f"vectors kept: {engine.status().embedded} of {len(corpus)} papers")

            def run(mode: str) -> dict[str, list[str]]:
                return {
                    q.query_id: [
                        hit.paper.arxiv_id
                        for hit in services.search.search(
                            q.text, mode=mode, limit=100, explain_hits=False
                        ).hits
                    ]
                    for q in chosen
                }

            print(f"{len(chosen)} {args.split} queries of shape {args.shape}")
            for weights in args.fts_weights:
                rank = "bm25(" + ", ".join(str(float(w)) for w in weights.split(",")) + ")"
                with services.db.write() as conn:
                    conn.exec_driver_sql(
                        f"INSERT INTO papers_fts(papers_fts, rank) VALUES ('rank', '{rank}')"
                    )
                services.db.dispose()  # open connections keep the old rank setting
                print(_line(f"keyword {rank}", _scores(run("keyword"), chosen)))
            print(f"{'run':<20} nDCG@10 recall@100 MRR@10 top-3")
            legs = {mode: run(mode) for mode in ("keyword", "semantic")}
            for mode, rankings in legs.items():
                print(_line(mode, _scores(rankings, chosen)))
            fused = {
                q.query_id: ranked(rrf([legs["keyword"][q.query_id], legs["semantic"][q.query_id]]))
                for q in chosen
            }
            print(_line("rrf", _scores(fused, chosen)))
            if args.no_fusion:
                return
            names = [WEIGHT_SETTINGS[args.shape]] if args.shape != "all" else []
            for weight in [float(w) for w in args.weights.split(",")] if names else [None]:
                if weight is not None:
                    engine.settings = engine.settings.model_copy(
                        update=dict.fromkeys(names, weight)
                    )
                label = "hybrid" if weight is None else f"w={weight}"
                hybrid = run("hybrid")
                print(_line(label, _scores(hybrid, chosen)))
            if args.shape == "all":  # the same runs, nDCG@10 by query shape
                runs = {**legs, "rrf": fused, "hybrid": hybrid}
                print(f"{'nDCG@10 by shape':<20} " + "  ".join(f"{r:>8}" for r in runs))
                for shape in QUERY_SHAPES:
                    some = [
                        q
                        for q in chosen
                        if query_shape(
                            q.text, parse_query(q.text), settings.search_short_query_words
                        )
                        == shape
                    ]
                    if some:
                        cells = "  ".join(f"{_scores(r, some)[0]:>8.4f}" for r in runs.values())
                        print(f"{shape} ({len(some)} q)".ljust(20) + " " + cells)
        finally:
            services.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
