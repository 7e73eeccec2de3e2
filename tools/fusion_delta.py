"""How a change of the query-aware fusion weights moves a BEIR collection's hybrid nDCG@10.

Only queries of the shapes whose weight changes can move (search/query_shape.py; the keyword
index and vectors are the same for both), so this runs hybrid search on just those queries
under the old and the new weights, in one process, and prints the change of the mean over
all the collection's judged queries (add it to a full `dailypapers eval beir` figure):

    .venv/bin/python tools/fusion_delta.py DIR --split S --old NAME=VALUE ... --new NAME=VALUE ...
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.domain.search import parse_query
from dailypapers.search.evaluation import ndcg_at, read_jsonl, read_qrels, recall_at
from dailypapers.search.query_shape import WEIGHT_SETTINGS, query_shape
from dailypapers.services.evaluation import EvaluationService

SHAPE_OF_SETTING = {setting: shape for shape, setting in WEIGHT_SETTINGS.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--split", required=True)
    parser.add_argument("--old", action="append", default=[])
    parser.add_argument("--new", action="append", default=[])
    args = parser.parse_args()
    old = {k: float(v) for k, v in (s.split("=", 1) for s in args.old)}
    new = {k: float(v) for k, v in (s.split("=", 1) for s in args.new)}
    settings = Settings()
    shapes = {SHAPE_OF_SETTING[k] for k in {**old, **new}}
    qrels = read_qrels(args.folder / "qrels" / f"{args.split}.tsv")
    texts = {q["_id"]: q["text"] for q in read_jsonl(args.folder / "queries.jsonl")}
    judged = [q for q in texts if any(r > 0 for r in qrels.get(q, {}).values())]
    moved = [
        q
        for q in judged
        if query_shape(texts[q], parse_query(texts[q]), settings.search_short_query_words) in shapes
    ]
    print(f"{args.folder.name}: {len(moved)} of {len(judged)} judged queries of shape {shapes}")
    if not moved:
        return
    evaluation = EvaluationService(settings)
    workdir = Path(tempfile.mkdtemp(prefix="dailypapers-delta-"))
    try:
        services = evaluation._services(workdir)
        try:
            evaluation._load_corpus(services, args.folder / "corpus.jsonl")
            evaluation._embed(services, args.folder / "corpus.jsonl", None)
            engine = services.search.engine
            base = engine.settings
            figures = {}
            for label, update in (("old", old), ("new", new)):
                engine.settings = base.model_copy(update=update)
                ndcgs, recalls = [], []
                for q in moved:
                    page = services.search.search(
                        texts[q], mode="hybrid", limit=100, explain_hits=False
                    )
                    ranking = [hit.paper.arxiv_id for hit in page.hits]
                    ndcgs.append(ndcg_at(ranking, qrels[q]))
                    recalls.append(recall_at(ranking, qrels[q]))
                figures[label] = (sum(ndcgs), sum(recalls))
                print(
                    f"{label}: nDCG@10 {statistics.fmean(ndcgs):.4f} "
                    f"recall@100 {statistics.fmean(recalls):.4f} on those {len(moved)}"
                )
            delta = [(figures["new"][i] - figures["old"][i]) / len(judged) for i in (0, 1)]
            print(
                f"change of the collection's mean: nDCG@10 {delta[0]:+.4f}, "
                f"recall@100 {delta[1]:+.4f}"
            )
        finally:
            services.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
