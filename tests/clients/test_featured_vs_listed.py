"""Featured versus listed, on the real data: an arXiv listing import never adds papers to a day
HF featured, nor blurs HF's times; a day nothing was featured on shows its arXiv listing,
labelled as such, on the pages but never in HF's API."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.services.bootstrap import Services
from tests.conftest import make_services
from tests.web.support import api_fixture

DAY = "2025-07-24"
FEATURED_LATER = "2507.17596"  # listed on arXiv on 07-24, featured by HF on 07-28


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Path]:
    """HF's rows of 07-25..07-31 (07-24 comes from HF's recorded API answer) and arXiv's 'new'
    listing of 07-24, as import files."""
    folder = tmp_path_factory.mktemp("sources")
    hf, listing = folder / "hf.jsonl", folder / "listing.jsonl.gz"
    with gzip.open(shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz", "rt") as rows:
        kept = [line for line in rows if DAY < json.loads(line)["date"] <= "2025-07-31"]
    hf.write_text("".join(kept))
    with (
        gzip.open(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", "rt") as rows,
        gzip.open(listing, "wt") as out,
    ):
        for line in rows:
            if f'"first_listed": "{DAY}"' in line:
                out.write(line)
    return {"hf": hf, "listing": listing}


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[tuple[Services, TestClient]]:
    """On SQLite and PostgreSQL: a feature replacing a listing is an upsert on both."""
    services = make_services(tmp_path, database_url)
    try:
        with TestClient(create_app(services)) as test_client:
            yield services, test_client
    finally:
        services.close()


def _hf_day() -> list[dict]:
    return json.loads(api_fixture(DAY).read_text())


def _ids(items: list[dict]) -> set[str]:
    return {item["paper"]["id"] for item in items}


@pytest.mark.parametrize("listing_first", [False, True], ids=["hf-then-arxiv", "arxiv-then-hf"])
def test_an_arxiv_listing_import_keeps_the_day_hf_featured(
    client: tuple[Services, TestClient], sources: dict[str, Path], listing_first: bool
) -> None:
    services, http = client
    services.imports.import_file(sources["hf"], "hf-daily")
    if not listing_first:
        services.imports.import_file(api_fixture(DAY), "hf-daily")
    services.imports.import_file(sources["listing"], "arxiv-snapshot")
    if listing_first:
        services.imports.import_file(api_fixture(DAY), "hf-daily")

    day = http.get("/api/daily_papers", params={"date": DAY, "limit": 100}).json()
    hf = _hf_day()
    assert _ids(day) == _ids(hf) and len(day) == 7
    by_id = {item["paper"]["id"]: item for item in day}
    for item in hf:  # HF's own times and submitters, whichever import came first
        ours = by_id[item["paper"]["id"]]
        assert ours["publishedAt"] == item["publishedAt"]
        assert ours["paper"]["publishedAt"] == item["paper"]["publishedAt"]
        assert ours["submittedBy"] == item["submittedBy"]
    page = http.get(f"/date/{DAY}", params={"format": "json", "limit": 100}).json()
    assert page["listed"] is False and len(page["items"]) == 7
    later = http.get("/api/daily_papers", params={"date": "2025-07-28", "limit": 100}).json()
    assert FEATURED_LATER in _ids(later)
    assert FEATURED_LATER not in _ids(day)
    paper = http.get(f"/api/papers/{FEATURED_LATER}").json()
    assert paper["submittedOnDailyAt"].startswith("2025-07-28")  # featured, not listed
    assert not paper["publishedAt"].endswith("T00:00:00.000Z")  # HF's time, not a bare date


def test_a_day_nothing_was_featured_on_shows_its_arxiv_listing_labelled_as_listed(
    client: tuple[Services, TestClient], sources: dict[str, Path]
) -> None:
    services, http = client
    counts = services.imports.import_file(sources["listing"], "arxiv-snapshot")
    assert counts.inserted > 100

    front = http.get("/", params={"format": "json", "limit": 100}).json()
    assert front["listed"] is True and front["period"]["start"] == DAY
    assert front["total"] == counts.inserted
    html = http.get(f"/date/{DAY}").text
    assert "listed as new on arXiv" in html
    # HF's API says what HF would: nothing was featured that day.
    assert http.get("/api/daily_papers", params={"date": DAY}).json() == []
    assert http.get("/api/daily_papers").json() == []


def test_a_featured_day_never_mixes_in_its_listing(
    client: tuple[Services, TestClient], sources: dict[str, Path]
) -> None:
    services, http = client
    services.imports.import_file(sources["listing"], "arxiv-snapshot")
    services.imports.import_file(api_fixture(DAY), "hf-daily")
    page = http.get(f"/date/{DAY}", params={"format": "json", "limit": 100}).json()
    assert page["listed"] is False and page["total"] == 7
    assert "listed as new on arXiv" not in http.get(f"/date/{DAY}").text


def test_the_arxiv_listing_has_its_own_api_in_listing_order_and_per_category(
    client: tuple[Services, TestClient], sources: dict[str, Path]
) -> None:
    services, http = client
    services.imports.import_file(sources["listing"], "arxiv-snapshot")
    services.imports.import_file(api_fixture(DAY), "hf-daily")  # featured: not in the listing
    with gzip.open(sources["listing"], "rt") as rows:
        listed = [json.loads(line) for line in rows]
    featured = _ids(_hf_day())

    answer = http.get("/api/arxiv_listings", params={"date": DAY, "limit": 100})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = [row["id"] for row in listed if row["id"] not in featured]
    assert body["date"] == DAY and body["total"] == len(expected)
    assert [paper["id"] for paper in body["papers"]] == expected[:100]
    assert 'rel="next"' in answer.headers["link"]

    cl = http.get("/api/arxiv_listings", params={"date": DAY, "category": "cs.CL"}).json()
    in_cl = [
        row["id"] for row in listed if row["id"] not in featured and "cs.CL" in row["categories"]
    ]
    assert cl["total"] == len(in_cl) and cl["papers"][0]["id"] == in_cl[0]
    assert http.get("/api/arxiv_listings").json()["date"] == DAY  # the latest listed day
    assert http.get("/api/arxiv_listings", params={"category": "cs CL"}).status_code == 400
