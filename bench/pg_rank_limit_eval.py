"""Search quality on PostgreSQL by `search_keyword_rank_limit` (how many keyword matches
ts_rank scores): does ranking only the first N matches cost nDCG?

    .venv/bin/python bench/pg_rank_limit_eval.py [--limits 1000000000,2000,500]
        [--collections scifact,short] [--modes keyword,hybrid]

Runs `EvaluationService` (what `dailypapers eval` runs) with the collections loaded into a
fresh PostgreSQL database (pgserver, or DAILYPAPERS_TEST_PG_URL) instead of its usual
temporary SQLite file: SciFact train (5,183 abstracts, 809 judged claims; long queries,
whose "any words" step matches most of the corpus) and the short-query test split (the HF
demo rows, 849 queries; tools/tune_short_fusion.py --split test --shape all). One database
per collection and limit; the vectors come from `<data_dir>/eval-cache/` (kept in
bench/.cache/eval-data/; copy a cached .npz there to skip embedding SciFact, minutes).
Prints nDCG@10 and recall@100 per collection, mode and limit (1,000,000,000 = every match,
the old query).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import psycopg

from dailypapers.config import Settings
from dailypapers.services.evaluation import EvaluationService
from support import postgres_admin_url

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "data" / "scifact"
DATA = ROOT / "bench" / ".cache" / "eval-data"


class PostgresEvaluation(EvaluationService):
    """`EvaluationService` loading each collection into a new PostgreSQL database."""

    def __init__(self, settings: Settings, admin_url: str, name: str) -> None:
        super().__init__(settings)
        self.admin_url, self.name = admin_url, name

    def _database_url(self, workdir: Path) -> str:  # a fresh PostgreSQL database instead
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name}")
            conn.execute(f"CREATE DATABASE {self.name}")
        base, _, query = self.admin_url.partition("?")
        return base.rsplit("/", 1)[0] + f"/{self.name}" + (f"?{query}" if query else "")

    def cache_dir(self) -> Path:
        return DATA / "eval-cache"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limits", default="1000000000,2000,500")
    parser.add_argument("--collections", default="scifact,short")
    parser.add_argument("--modes", default="keyword,hybrid")
    args = parser.parse_args()
    modes = tuple(args.modes.split(","))
    DATA.mkdir(parents=True, exist_ok=True)
    rows = []
    with postgres_admin_url("dailypapers-rank-limit-") as admin_url:
        for collection in args.collections.split(","):
            for limit in (int(x) for x in args.limits.split(",")):
                settings = Settings(data_dir=DATA, search_keyword_rank_limit=limit)
                evaluation = PostgresEvaluation(settings, admin_url, f"eval_{collection}")
                if collection == "scifact":
                    report = evaluation.beir(SCIFACT, "train", modes=modes)
                else:
                    report = evaluation.short_queries("test", modes=modes)
                for mode, result in report.modes.items():
                    rows.append((collection, mode, limit, result))
                    print(
                        f"{collection:<8} {mode:<8} limit {limit:>13,}  nDCG@10 "
                        f"{result.ndcg_at_10:.4f}  recall@100 {result.recall_at_100:.4f}  "
                        f"p50 {result.p50_ms:.0f} ms  ({result.queries} queries)",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
