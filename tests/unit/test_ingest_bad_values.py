"""Live ingest shares the import's validation: the same bad values are positioned skips there.

Real recorded responses (an HF `/api/daily_papers` day, an arXiv API Atom page) with one bad
value spliced into one item: that item is an error with its position, the others parse.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dailypapers.ingest.arxiv_api import parse_atom_page
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily_api import parse_hf_page
from dailypapers.ingest.http import MalformedPage

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


@pytest.fixture
def hf_items(shared_data: Path) -> list[dict]:
    path = shared_data / "hf_daily_papers" / "api_fixtures" / "daily_papers_2025-07-24.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("where", "value", "reason"),
    [
        ("submittedOnDailyAt", "0001-01-01T00:00:00+01:00", "date out of range"),
        ("publishedAt", "9999-12-31T23:59:59-01:00", "date out of range"),
        ("upvotes", 2**63, "paper.upvotes is larger than 2147483647"),
        ("githubStars", 2**31, "githubStars is larger than 2147483647"),
        ("title", "a \ud800 b", "title contains a lone surrogate"),
        ("title", "a \x00 b", "title contains a NUL character"),
    ],
)
def test_a_bad_value_in_an_hf_api_item_is_a_positioned_skip(hf_items, where, value, reason):
    hf_items[3]["paper"][where] = value
    hf_items[3].pop("title", None)
    body = json.dumps(hf_items).encode()
    page = parse_hf_page(body, limits=RecordLimits(), label="2025-07-24")
    assert len(page.records) == len(hf_items) - 1
    [error] = page.errors
    assert error.position == "2025-07-24[3]"
    assert reason in error.reason


def test_an_hf_api_response_nested_too_deeply_is_a_malformed_page():
    with pytest.raises(MalformedPage, match="nested too deeply"):
        parse_hf_page(b"[" * 100_000 + b"]" * 100_000, limits=RecordLimits())


def test_an_atom_entry_with_an_out_of_range_date_is_a_positioned_skip():
    text = (FIXTURES / "arxiv_api" / "page_1.xml").read_text(encoding="utf-8")
    spoiled = text.replace(
        "<published>2025-03-17T17:01:00Z</published>",
        "<published>0001-01-01T00:00:00+01:00</published>",
        1,
    )
    assert spoiled != text
    good = parse_atom_page(text, start=0, limits=RecordLimits(), label="p1")
    page = parse_atom_page(spoiled, start=0, limits=RecordLimits(), label="p1")
    assert len(page.records) == len(good.records) - 1
    [error] = page.errors
    assert error.position == "p1 entry 2"
    assert "published: date out of range" in error.reason
