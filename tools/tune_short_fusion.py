"""Choose `search_short_query_keyword_weight` on the short-query tune split (never test).

Loads the short-query collection once (search/short_queries.py, the demo's papers and
vectors) and runs hybrid search on the tune queries of at most `search_short_query_words`
words for each candidate weight, printing nDCG@10 and recall@100 per weight:

    .venv/bin/python tools/tune_short_fusion.py [--split tune] [--weights 0.2,0.35,0.5,0.65]
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
from dailypapers.search.evaluation import ndcg_at, recall_at
from dailypapers.search.short_queries import short_queries, write_collection
from dailypapers.services.bootstrap import demo_data_path, demo_embeddings_path
from dailypapers.services.evaluation import EvaluationService


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="tune")
    parser.add_argument("--weights", default="0.2,0.35,0.5,0.65")
    args = parser.parse_args()
    settings = Settings()
    evaluation = EvaluationService(settings)
    with gzip.open(demo_data_path(), "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    corpus, queries = short_queries(rows)
    short = [
        q
        for q in queries
        if q.split == args.split and len(q.text.split()) <= settings.search_short_query_words
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
            print(
                f"{len(short)} {args.split} queries of <= {settings.search_short_query_words} words"
            )
            print("weight  nDCG@10  recall@100")
            for weight in [float(w) for w in args.weights.split(",")]:
                engine.settings = engine.settings.model_copy(
                    update={"search_short_query_keyword_weight": weight}
                )
                ndcgs, recalls = [], []
                for q in short:
                    page = services.search.search(
                        q.text, mode="hybrid", limit=100, explain_hits=False
                    )
                    ranking = [hit.paper.arxiv_id for hit in page.hits]
                    relevance = dict.fromkeys(q.relevant, 1)
                    ndcgs.append(ndcg_at(ranking, relevance))
                    recalls.append(recall_at(ranking, relevance))
                print(
                    f"{weight:<7} {statistics.fmean(ndcgs):.4f}   {statistics.fmean(recalls):.4f}"
                )
        finally:
            services.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
