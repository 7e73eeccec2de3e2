"""Cut the bundled demo data from ../shared/data: the last DAYS days of HF daily-papers rows.

    python tools/make_demo_data.py [--days 75]

Writes src/dailypapers/demo/hf_daily_papers.jsonl.gz: the rows unchanged and in file order,
except that a paper the arXiv listings (../shared/data/arxiv_daily_cs) also hold gets its
arXiv categories as `categories` (HF rows have none; without them the demo's category chips
and category filter would be empty). The listings end on 2026-07-01, so papers featured
after that keep none. The output is byte-for-byte the same on every run (gzip mtime 0).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SOURCE = SHARED / "hf_daily_papers" / "daily_papers.jsonl.gz"
ARXIV = SHARED / "arxiv_daily_cs" / "papers.jsonl.gz"
TARGET = ROOT / "src" / "dailypapers" / "demo" / "hf_daily_papers.jsonl.gz"
# arXiv categories ("cs.CL", "eess.IV", "hep-th"); the listings mix in ACM codes ("I.2.7")
CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")


def arxiv_categories(ids: set[str]) -> dict[str, list[str]]:
    """The arXiv categories of those of `ids` that the listings hold, primary first."""
    found: dict[str, list[str]] = {}
    with gzip.open(ARXIV, "rt", encoding="utf-8") as handle:
        for line in handle:
            paper = json.loads(line)
            if paper["id"] in ids:
                kept = [c for c in paper.get("categories") or [] if CATEGORY.fullmatch(c)]
                if kept:
                    found[paper["id"]] = list(dict.fromkeys(kept))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=75)
    args = parser.parse_args()
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    last = max(date.fromisoformat(r["date"]) for r in rows)
    first = last - timedelta(days=args.days - 1)
    kept = [r for r in rows if date.fromisoformat(r["date"]) >= first]
    categories = arxiv_categories({r["arxiv_id"] for r in kept})
    for row in kept:
        if row["arxiv_id"] in categories:
            row["categories"] = categories[row["arxiv_id"]]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TARGET, "wb", mtime=0) as out:
        for row in kept:
            out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    papers = len({r["arxiv_id"] for r in kept})
    print(
        f"{len(kept)} rows ({papers} papers, {len(categories)} with arXiv categories), "
        f"{first}..{last} -> {TARGET} ({TARGET.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
