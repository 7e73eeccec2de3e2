"""Cut the bundled demo data from ../shared/data: the last DAYS days of HF daily-papers rows.

    python tools/make_demo_data.py [--days 75]

Writes src/dailypapers/demo/hf_daily_papers.jsonl.gz (rows unchanged, in file order).
"""

from __future__ import annotations

import argparse
import gzip
import json
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "hf_daily_papers" / "daily_papers.jsonl.gz"
TARGET = ROOT / "src" / "dailypapers" / "demo" / "hf_daily_papers.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=75)
    args = parser.parse_args()
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    last = max(date.fromisoformat(r["date"]) for r in rows)
    first = last - timedelta(days=args.days - 1)
    kept = [r for r in rows if date.fromisoformat(r["date"]) >= first]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(TARGET, "wb", mtime=0) as out:
        for row in kept:
            out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{len(kept)} rows, {first}..{last} -> {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
