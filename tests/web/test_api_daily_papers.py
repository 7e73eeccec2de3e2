"""`/api/daily_papers` and `/api/papers/{id}` answer as Hugging Face's API does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import MakeClient
from tests.web.support import api_fixture, hf_row, write_jsonl

HF_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
FIXTURE_DAYS = ["2024-05-27", "2025-07-24", "2026-08-21"]


def _ids(items: list[dict]) -> list[str]:
    return [item["paper"]["id"] for item in items]


@pytest.mark.parametrize("day", FIXTURE_DAYS)
def test_a_day_lists_the_same_papers_in_the_same_order_as_the_recorded_hf_response(
    make_client: MakeClient, day: str
) -> None:
    recorded = json.loads(api_fixture(day).read_text())
    client, _ = make_client(api_fixture(day))

    response = client.get("/api/daily_papers", params={"date": day})

    assert response.status_code == 200
    ours = response.json()
    assert [(i["paper"]["id"], i["title"], i["paper"]["upvotes"]) for i in ours] == [
        (i["paper"]["id"], i["title"], i["paper"]["upvotes"]) for i in recorded
    ]


@pytest.mark.parametrize("day", FIXTURE_DAYS)
def test_paper_fields_round_trip_from_the_recorded_hf_response(
    make_client: MakeClient, day: str
) -> None:
    recorded = {i["paper"]["id"]: i for i in json.loads(api_fixture(day).read_text())}
    client, _ = make_client(api_fixture(day))

    for item in client.get("/api/daily_papers", params={"date": day}).json():
        theirs = recorded[item["paper"]["id"]]
        ours, their_paper = item["paper"], theirs["paper"]
        assert ours["publishedAt"] == their_paper["publishedAt"]
        assert ours["summary"] == their_paper["summary"]  # as HF sent it (issue 11)
        assert [a["name"] for a in ours["authors"]] == [a["name"] for a in their_paper["authors"]]
        assert item["numComments"] == theirs["numComments"]
        for key in ("githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords"):
            assert ours.get(key) == their_paper.get(key), key
        if "submittedOnDailyAt" in their_paper:
            assert ours["submittedOnDailyAt"] == their_paper["submittedOnDailyAt"]
        else:  # older responses only have the featured time at the top level
            assert item["publishedAt"] == theirs["publishedAt"]
        if theirs.get("submittedBy"):
            assert item["submittedBy"]["name"] == theirs["submittedBy"]["name"]
        if "organization" in their_paper:
            assert ours["organization"]["name"] == their_paper["organization"]["name"]


def test_items_have_hf_keys_and_types(demo_client: TestClient) -> None:
    items = demo_client.get("/api/daily_papers", params={"date": "2026-08-21"}).json()

    assert isinstance(items, list) and len(items) == 17
    for item in items:
        paper = item["paper"]
        assert re.fullmatch(r"\d{4}\.\d{5}", paper["id"])
        assert paper["authors"] and all(isinstance(a["name"], str) for a in paper["authors"])
        assert HF_TIMESTAMP.fullmatch(paper["publishedAt"])
        assert HF_TIMESTAMP.fullmatch(paper["submittedOnDailyAt"])
        assert HF_TIMESTAMP.fullmatch(item["publishedAt"])
        assert isinstance(paper["upvotes"], int)
        assert item["title"] == paper["title"] and item["summary"] == paper["summary"]
        assert isinstance(item["numComments"], int)
        assert item["submittedBy"] is None or set(item["submittedBy"]) == {"name", "fullname"}
        assert paper["submittedOnDailyBy"]["user"] == item["submittedBy"]["name"]
        assert item["isAuthorParticipating"] is False
        for key in ("githubRepo", "githubStars", "projectPage", "ai_summary", "ai_keywords"):
            assert key not in paper or paper[key] is not None  # absent, never null
    with_code = [i["paper"] for i in items if "githubRepo" in i["paper"]]
    assert with_code and all(isinstance(p["githubStars"], int) for p in with_code)


def test_no_period_means_the_latest_day(demo_client: TestClient) -> None:
    latest = demo_client.get("/api/daily_papers").json()
    assert _ids(latest) == _ids(
        demo_client.get("/api/daily_papers", params={"date": "2026-08-21"}).json()
    )


def test_a_month_lists_a_paper_featured_twice_once(demo_client: TestClient) -> None:
    # 2608.12313 was featured on 2026-08-13 and again on 2026-08-19.
    day_ids = set()
    for day in ("2026-08-13", "2026-08-19"):
        day_ids |= set(_ids(demo_client.get("/api/daily_papers", params={"date": day}).json()))
    assert "2608.12313" in day_ids

    response = demo_client.get("/api/daily_papers", params={"month": "2026-08", "limit": 100})
    total = int(response.headers["X-Total-Count"])
    ids = []
    for page in range(-(-total // 100)):
        ids += _ids(
            demo_client.get(
                "/api/daily_papers", params={"month": "2026-08", "limit": 100, "p": page}
            ).json()
        )
    assert len(ids) == total == len(set(ids))
    assert ids.count("2608.12313") == 1
    assert day_ids <= set(ids)


def test_a_week_lists_a_paper_featured_on_two_of_its_days_once(
    make_client: MakeClient, tmp_path: Path
) -> None:
    rows = [
        hf_row("2608.90001", "2026-08-17", upvotes=5),
        hf_row("2608.90001", "2026-08-19", upvotes=9),
        hf_row("2608.90002", "2026-08-18", upvotes=2),
        hf_row("2608.90003", "2026-08-24", upvotes=7),  # the next week
    ]
    client, _ = make_client(write_jsonl(tmp_path / "rows.jsonl.gz", rows))

    items = client.get("/api/daily_papers", params={"week": "2026-W34"}).json()

    assert _ids(items) == ["2608.90001", "2608.90002"]
    assert items[0]["paper"]["upvotes"] == 9


def test_paging_walks_the_whole_day_without_overlap(demo_client: TestClient) -> None:
    everything = _ids(demo_client.get("/api/daily_papers", params={"date": "2026-08-21"}).json())
    pages = [
        demo_client.get("/api/daily_papers", params={"date": "2026-08-21", "limit": 5, "p": p})
        for p in range(5)
    ]

    assert [len(r.json()) for r in pages] == [5, 5, 5, 2, 0]
    assert [i for r in pages for i in _ids(r.json())] == everything
    assert all(r.headers["X-Total-Count"] == "17" for r in pages)


def test_default_order_is_most_upvoted_first(demo_client: TestClient) -> None:
    items = demo_client.get("/api/daily_papers", params={"week": "2026-W33"}).json()
    votes = [i["paper"]["upvotes"] for i in items]
    assert votes == sorted(votes, reverse=True) and votes[0] > votes[-1]


def test_sort_published_at_puts_the_newest_arxiv_papers_first(demo_client: TestClient) -> None:
    params = {"date": "2026-08-20", "limit": 100}
    by_date = demo_client.get("/api/daily_papers", params={**params, "sort": "publishedAt"}).json()
    default = demo_client.get("/api/daily_papers", params=params).json()

    published = [i["paper"]["publishedAt"] for i in by_date]
    assert published == sorted(published, reverse=True)
    assert set(_ids(by_date)) == set(_ids(default))
    assert _ids(by_date) != _ids(default)


def test_sort_trending_returns_the_same_papers(demo_client: TestClient) -> None:
    params = {"date": "2026-08-20"}
    trending = demo_client.get("/api/daily_papers", params={**params, "sort": "trending"})
    assert trending.status_code == 200
    default = demo_client.get("/api/daily_papers", params=params).json()
    assert sorted(_ids(trending.json())) == sorted(_ids(default))


def test_submitter_filter_keeps_only_that_users_papers(demo_client: TestClient) -> None:
    params = {"month": "2026-08", "limit": 100}
    everyone = demo_client.get("/api/daily_papers", params=params)
    theirs = demo_client.get("/api/daily_papers", params={**params, "submitter": "taesiri"})

    items = theirs.json()
    assert items and all(i["submittedBy"]["name"] == "taesiri" for i in items)
    assert int(theirs.headers["X-Total-Count"]) < int(everyone.headers["X-Total-Count"])


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2025-13-01"},
        {"date": "yesterday"},
        {"date": ""},
        {"week": "2025-W60"},
        {"week": "2025-30"},
        {"month": "2025-13"},
        {"month": "July"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"p": "-1"},
        {"p": "1001"},
        {"p": "x"},
        {"sort": "upvotes"},
        {"sort": "votes"},
        {"date": "2026-08-21", "week": "2026-W34"},
        {"week": "2026-W34", "month": "2026-08"},
    ],
)
def test_bad_parameters_get_a_json_error(demo_client: TestClient, params: dict) -> None:
    response = demo_client.get("/api/daily_papers", params=params)

    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()  # Hugging Face's error shape, with our code beside it
    assert isinstance(body["error"], str) and body["error"] and body["code"]


def test_a_period_without_papers_is_an_empty_list(demo_client: TestClient) -> None:
    response = demo_client.get("/api/daily_papers", params={"date": "2026-08-15"})
    assert response.status_code == 200 and response.json() == []


def test_paper_endpoint_returns_hfs_paper_object(demo_client: TestClient) -> None:
    response = demo_client.get("/api/papers/2608.19880")

    assert response.status_code == 200
    paper = response.json()
    assert paper["id"] == "2608.19880"
    assert paper["title"] == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert paper["githubRepo"] == "https://github.com/google-research/envharness"
    assert paper["githubStars"] == 8
    assert paper["upvotes"] == 163
    assert paper["submittedOnDailyAt"] == "2026-08-21T00:00:00.000Z"
    assert paper["submittedOnDailyBy"] == {"user": "taesiri", "name": "taesiri"}
    assert paper["organization"] == {"name": "google"}


def test_paper_endpoint_accepts_a_versioned_id(demo_client: TestClient) -> None:
    response = demo_client.get("/api/papers/2608.19880v3")
    assert response.status_code == 200 and response.json()["id"] == "2608.19880"


def test_unknown_paper_is_a_json_404(demo_client: TestClient) -> None:
    response = demo_client.get("/api/papers/2601.00001")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "2601.00001" in response.json()["error"]


def test_malformed_paper_id_is_a_json_400(demo_client: TestClient) -> None:
    response = demo_client.get("/api/papers/not-an-id")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_arxiv_id"


def test_openapi_schema_describes_the_api(demo_client: TestClient) -> None:
    schema = demo_client.get("/openapi.json").json()
    daily = schema["paths"]["/api/daily_papers"]["get"]
    assert daily["summary"]
    assert {p["name"] for p in daily["parameters"]} == {
        "date",
        "week",
        "month",
        "p",
        "limit",
        "sort",
        "submitter",
    }
    assert schema["paths"]["/api/papers/{arxiv_id}"]["get"]["summary"]
