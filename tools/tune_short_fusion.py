"""Choose the query-aware fusion weights on the short-query tune split (never test).

Loads the short-query collection once (search/short_queries.py, the demo's papers and
vectors), picks the queries of one shape (search/query_shape.py: `short`, `keywords`,
`sentence`, or `all`), prints keyword, semantic and plain reciprocal rank fusion (k=60, of
those two rankings) as baselines, then runs hybrid search with that shape's weight set to
each candidate value, printing nDCG@10 and recall@100 per weight:

    .venv/bin/python tools/tune_short_fusion.py [--split tune] [--shape short]
        [--weights 0.2,0.35,0.5,0.65] [--setting NAME=VALUE ...]

`--setting` fixes other settings for the whole run (say, a weight already chosen).
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
from dailypapers.search.query_shape import QUERY_SHAPES, query_shape
from dailypapers.search.short_queries import short_queries, write_collection
from dailypapers.services.bootstrap import demo_data_path, demo_embeddings_path
from dailypapers.services.evaluation import EvaluationService

WEIGHT_OF_SHAPE = {
    "short": "search_short_query_keyword_weight",
    "keywords": "search_keyword_list_keyword_weight",
    "sentence": "search_keyword_weight",
}


def _scores(rankings: dict[str, list[str]], queries) -> tuple[float, float]:
    ndcgs, recalls = [], []
    for q in queries:
        relevance = dict.fromkeys(q.relevant, 1)
        ndcgs.append(ndcg_at(rankings[q.query_id], relevance))
        recalls.append(recall_at(rankings[q.query_id], relevance))
    return statistics.fmean(ndcgs), statistics.fmean(recalls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="tune")
    parser.add_argument("--shape", default="short", choices=[*QUERY_SHAPES, "all"])
    parser.add_argument("--weights", default="0.2,0.35,0.5,0.65")
    parser.add_argument("--setting", action="append", default=[])
    args = parser.parse_args()
    fixed = dict(s.split("=", 1) for s in args.setting)
    settings = Settings(**fixed)
    evaluation = EvaluationService(settings)
    with gzip.open(demo_data_path(), "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    corpus, queries = short_queries(rows)
    chosen = [
        q
        for q in queries
        if q.split == args.split
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
            engine = services.search.engine

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
            print("run       nDCG@10  recall@100")
            legs = {mode: run(mode) for mode in ("keyword", "semantic")}
            for mode, rankings in legs.items():
                print(f"{mode:<9} %.4f   %.4f" % _scores(rankings, chosen))
            fused = {
                q.query_id: ranked(rrf([legs["keyword"][q.query_id], legs["semantic"][q.query_id]]))
                for q in chosen
            }
            print("rrf       %.4f   %.4f" % _scores(fused, chosen))
            names = [WEIGHT_OF_SHAPE[args.shape]] if args.shape != "all" else []
            for weight in [float(w) for w in args.weights.split(",")] if names else [None]:
                if weight is not None:
                    engine.settings = engine.settings.model_copy(
                        update=dict.fromkeys(names, weight)
                    )
                label = "hybrid" if weight is None else f"w={weight}"
                print(f"{label:<9} %.4f   %.4f" % _scores(run("hybrid"), chosen))
        finally:
            services.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
