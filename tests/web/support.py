"""Helpers for the web tests: where the shared data lives, crafted import rows, a fixed clock."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HF_DATA = SHARED_DATA / "hf_daily_papers"
API_FIXTURES = HF_DATA / "api_fixtures"

# The demo data ends on Friday 2026-08-21; "now" is that afternoon.
FIXED_NOW = datetime(2026, 8, 21, 15, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


def api_fixture(day: str) -> Path:
    return API_FIXTURES / f"daily_papers_{day}.json"


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Rows in the flat HF daily-papers shape, gzipped as the shared data set is."""
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    return path


def hf_row(arxiv_id: str, day: str, **fields: object) -> dict:
    """A flat daily-papers row with plausible defaults; `fields` override them."""
    row: dict = {
        "date": day,
        "arxiv_id": arxiv_id,
        "title": f"Paper {arxiv_id}",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "abstract": f"The abstract of {arxiv_id}.",
        "upvotes": 1,
        "num_comments": 0,
        "published_at": f"{day}T00:00:00.000Z",
        "submitted_on_daily_at": f"{day}T00:00:00.000Z",
        "submitted_by": "someone",
    }
    row.update(fields)
    return row
