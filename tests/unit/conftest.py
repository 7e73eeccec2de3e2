"""Fixtures for the pure unit tests: real records read from the shared data sets.

The data lives next to the repository (`../shared/data`); only a few rows are read, so these
fixtures stay fast.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dailypapers.ingest.fields import RecordLimits

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HF_ROWS = SHARED_DATA / "hf_daily_papers" / "daily_papers.jsonl.gz"
HF_API = SHARED_DATA / "hf_daily_papers" / "api_fixtures"
ARXIV_ROWS = SHARED_DATA / "arxiv_daily_cs" / "papers.jsonl.gz"


def _find_rows(path: Path, key: str, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """Scan a gzip JSONL file until every wanted id is found (the ids sit near the top)."""
    found: dict[str, dict[str, Any]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row[key] in wanted:
                found[row[key]] = row
                if len(found) == len(wanted):
                    break
    missing = wanted - found.keys()
    assert not missing, f"{path.name} no longer holds {sorted(missing)}"
    return found


# Rows chosen for what they show: a plain row, a LaTeX title, a named submitter, an
# organization with GitHub stars and a project page.
HF_ROW_IDS = {"2405.15738", "2405.17258", "2406.06523", "2506.19851"}
# A plain listing row, a row whose subjects mix in MSC/ACM codes, a LaTeX title.
ARXIV_ROW_IDS = {"2503.11677", "2503.11954", "2503.15457"}


@pytest.fixture(scope="session")
def hf_rows() -> dict[str, dict[str, Any]]:
    return _find_rows(HF_ROWS, "arxiv_id", HF_ROW_IDS)


@pytest.fixture(scope="session")
def arxiv_rows() -> dict[str, dict[str, Any]]:
    return _find_rows(ARXIV_ROWS, "id", ARXIV_ROW_IDS)


@pytest.fixture(scope="session")
def hf_api_day() -> Callable[[str], list[dict[str, Any]]]:
    """The verbatim /api/daily_papers response saved for a day (a list of items)."""
    cache: dict[str, list[dict[str, Any]]] = {}

    def load(day: str) -> list[dict[str, Any]]:
        if day not in cache:
            path = HF_API / f"daily_papers_{day}.json"
            cache[day] = json.loads(path.read_text(encoding="utf-8"))
        return cache[day]

    return load


@pytest.fixture
def limits() -> RecordLimits:
    return RecordLimits()
