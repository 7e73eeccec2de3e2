"""Hugging Face's own client against our server: what it parses equals what it parses from HF.

`HfApi(endpoint=...)` talks to a live server holding the three recorded HF days. For each
day, our `/api/daily_papers` JSON is compared with HF's recorded response field by field
(`hf_diff`), and the client's parsed `PaperInfo` objects with those it builds from the
recording. Every remaining difference is listed below with its reason; anything else fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import PaperInfo

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.domain.trending import trending_score
from dailypapers.services.bootstrap import bootstrap
from tests.clients.conftest import FIXTURE_DAYS, Live
from tests.clients.hf_diff import differences, table
from tests.databases import sqlite_copy
from tests.live_server import LiveServer, free_port
from tests.web.support import FIXED_NOW, api_fixture, fixed_clock, hf_row, write_jsonl

# (day, path, kind) -> why we differ from HF's recorded response on purpose.
_OLD_SHAPE = "the 2024 response predates keys HF sends today; we send today's shape for every day"
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("2024-05-27", "[].isAuthorParticipating", "extra"): _OLD_SHAPE,
    ("2024-05-27", "[].paper.discussionId", "extra"): _OLD_SHAPE + " (our id: the arXiv id)",
    ("2024-05-27", "[].paper.submittedOnDailyAt", "extra"): _OLD_SHAPE,
    ("2024-05-27", "[].submittedBy", "extra"): _OLD_SHAPE + " (null: no submitter known)",
    ("2024-05-27", "[].thumbnail", "extra"): _OLD_SHAPE + " (HF's `mediaUrl` is the thumbnail)",
    ("2024-05-27", "[].paper.title", "value"): (
        "2405.15574 only: HF's item title (`\\textsc{AIEV-Instruct}`) and paper title differ; "
        "we hold one title, the item's, and send it in both places"
    ),
}


def _ours(live: Live, day: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{live.base_url}/api/daily_papers", params={"date": day}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("day", FIXTURE_DAYS)
def test_daily_papers_equal_the_recorded_hf_response_field_by_field(live: Live, day: str) -> None:
    recorded = json.loads(api_fixture(day).read_text())

    found = differences(_ours(live, day), recorded)

    unexplained = {k: n for k, n in found.items() if (day, *k) not in KNOWN_DIFFERENCES}
    assert not unexplained, f"differences from HF's {day} response:\n" + table(
        differences(_ours(live, day), recorded)
    )
    stale = [k for k in KNOWN_DIFFERENCES if k[0] == day and k[1:] not in found]
    assert not stale, f"listed as different but now equal (remove from the list): {stale}"


def _fields(info: PaperInfo) -> dict[str, Any]:
    return {key: repr(value) for key, value in vars(info).items()}


@pytest.mark.parametrize("day", ["2025-07-24", "2026-08-21"])
def test_the_client_parses_our_days_exactly_as_it_parses_hfs(live: Live, day: str) -> None:
    recorded = [PaperInfo(**item) for item in json.loads(api_fixture(day).read_text())]

    ours = list(HfApi(endpoint=live.base_url).list_daily_papers(date=day, limit=100))

    assert [p.id for p in ours] == [p.id for p in recorded]
    for mine, theirs in zip(ours, recorded, strict=True):
        assert _fields(mine) == _fields(theirs), mine.id


def test_the_client_reads_2024_papers_with_hfs_values_where_hf_sent_them(live: Live) -> None:
    recorded = {
        p.id: p for p in (PaperInfo(**i) for i in json.loads(api_fixture("2024-05-27").read_text()))
    }

    ours = list(HfApi(endpoint=live.base_url).list_daily_papers(date="2024-05-27"))

    assert {p.id for p in ours} == set(recorded)
    for mine in ours:
        theirs = recorded[mine.id]
        assert mine.authors == theirs.authors
        assert mine.published_at == theirs.published_at
        assert mine.submitted_at == theirs.submitted_at
        assert mine.upvotes == theirs.upvotes and mine.comments == theirs.comments
        assert mine.summary == theirs.summary


def test_paper_info_carries_hfs_submitter_organization_and_discussion(live: Live) -> None:
    info = HfApi(endpoint=live.base_url).paper_info("2608.19880")

    assert info.discussion_id == "6a87afc589e517cbfd75dbe0"
    assert info.authors is not None and info.authors[0].name == "Chengsong Huang"
    assert info.submitted_at is not None
    assert info.submitted_at.isoformat().startswith("2026-08-21")
    raw = httpx.get(f"{live.base_url}/api/papers/2608.19880", timeout=10).json()
    assert raw["submittedOnDailyBy"]["fullname"] == "taesiri"
    assert raw["organization"]["fullname"] == "Google"
    assert raw["ai_summary_model"] == "thinkingmachines/Inkling-Small"
    assert raw["githubRepoAddedBy"] == "user"


def test_the_client_shows_our_error_message_not_a_dict(live: Live) -> None:
    api = HfApi(endpoint=live.base_url)

    with pytest.raises(HfHubHTTPError) as bad_date:
        list(api.list_daily_papers(date="2026-13-45"))
    with pytest.raises(HfHubHTTPError) as unknown:
        api.paper_info("2101.00001")

    assert bad_date.value.response.status_code in (400, 422)
    assert "date" in str(bad_date.value) and "{'code'" not in str(bad_date.value)
    assert unknown.value.response.status_code == 404
    assert "paper 2101.00001 is not in this database" in str(unknown.value)


def test_our_own_routes_keep_their_error_shape(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/api/search", params={"q": "x" * 1000}, timeout=10)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_list_papers_carries_the_submitter_and_discussion_of_each_hit(live: Live) -> None:
    found = list(HfApi(endpoint=live.base_url).list_papers(query="Yume interactive world"))

    yume = next(p for p in found if p.id == "2507.17744")
    assert yume.discussion_id == "6881b7d1df7c5aafaf37f0df"
    assert yume.submitted_by is not None and yume.submitted_by.fullname == "kaipeng"
    raw = httpx.get(
        f"{live.base_url}/api/papers/search", params={"q": "Yume interactive world"}, timeout=10
    ).json()
    first = next(i for i in raw if i["paper"]["id"] == "2507.17744")
    assert first["paper"]["submittedOnDailyAt"] == "2025-07-24T04:38:47.770Z"
    assert first["paper"]["submittedOnDailyBy"]["user"] == "kpzhang996"


# Papers around 2026-08-21 (a Friday of ISO week 34), beside its recorded HF day: the week's
# Monday, the Sunday before it (week 33), the month's first day and the day before that.
MONDAY_W34, SUNDAY_W33, FIRST_OF_MONTH, JULY = (
    "2608.90001",
    "2608.90002",
    "2608.90003",
    "2607.90004",
)
AROUND = {
    MONDAY_W34: ("2026-08-17", 40),  # more upvotes than all but 4 of 08-21's, 4 days older
    SUNDAY_W33: ("2026-08-16", 3),
    FIRST_OF_MONTH: ("2026-08-01", 3),
    JULY: ("2026-07-31", 3),
}


@pytest.fixture(scope="module")
def calendar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live site with 2026-08-21's recorded papers and the `AROUND` papers."""
    folder = tmp_path_factory.mktemp("calendar")
    port = free_port()
    settings = Settings(
        data_dir=folder,
        database_url=sqlite_copy(folder / "dailypapers.db"),
        base_url=f"http://127.0.0.1:{port}",
    )
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    around = [hf_row(i, day, upvotes=votes) for i, (day, votes) in AROUND.items()]
    try:
        for path in (api_fixture("2026-08-21"), write_jsonl(folder / "around.jsonl.gz", around)):
            assert services.imports.import_file(path, "hf-daily").skipped == 0
        with LiveServer(create_app(services), port) as base_url:
            yield base_url
    finally:
        services.close()


def _trending_order(items: list[dict[str, Any]]) -> list[str]:
    """Time-decayed upvotes at the site's "now" (domain/trending.py), ties by upvotes: the
    order HF's `sort=trending` names, from each item's upvotes and time on the daily list."""
    gravity = Settings().trending_gravity
    scored = []
    for item in items:
        paper = item["paper"]
        featured = datetime.fromisoformat(paper["submittedOnDailyAt"].replace("Z", "+00:00"))
        hours = (FIXED_NOW - featured).total_seconds() / 3600
        score = trending_score(paper["upvotes"], hours, gravity)
        scored.append((-score, -paper["upvotes"], paper["id"]))
    return [arxiv_id for *_, arxiv_id in sorted(scored)]


def test_list_daily_papers_honours_each_of_its_parameters(calendar: str) -> None:
    api = HfApi(endpoint=calendar)
    recorded = json.loads(api_fixture("2026-08-21").read_text())
    day = [p.id for p in api.list_daily_papers(date="2026-08-21")]

    week = [p.id for p in api.list_daily_papers(week="2026-W34")]
    week_33 = [p.id for p in api.list_daily_papers(week="2026-W33")]
    month = [p.id for p in api.list_daily_papers(month="2026-08")]
    july = [p.id for p in api.list_daily_papers(month="2026-07")]
    newest = list(api.list_daily_papers(date="2026-08-21", sort="publishedAt"))
    by_upvotes = [p.id for p in api.list_daily_papers(week="2026-W34")]
    week_items = httpx.get(
        f"{calendar}/api/daily_papers", params={"week": "2026-W34"}, timeout=10
    ).json()
    trending = [p.id for p in api.list_daily_papers(week="2026-W34", sort="trending")]
    by_taesiri = [p.id for p in api.list_daily_papers(date="2026-08-21", submitter="taesiri")]
    second_page = [p.id for p in api.list_daily_papers(date="2026-08-21", p=1, limit=5)]
    latest = [p.id for p in api.list_daily_papers()]

    assert day == [i["paper"]["id"] for i in recorded]
    # A week runs Monday to Sunday; a month from its first day to its last.
    assert set(week) == {*day, MONDAY_W34} and week_33 == [SUNDAY_W33]
    assert set(month) == {*day, MONDAY_W34, SUNDAY_W33, FIRST_OF_MONTH} and july == [JULY]
    published = [p.published_at for p in newest]
    assert published == sorted(published, reverse=True)  # type: ignore[type-var]
    # Trending decays with age: the week's Monday paper falls below newer ones it outvotes.
    assert trending == _trending_order(week_items)
    assert trending != by_upvotes
    assert trending.index(MONDAY_W34) > by_upvotes.index(MONDAY_W34)
    taesiri = [
        i["paper"]["id"] for i in recorded if i["paper"]["submittedOnDailyBy"]["user"] == "taesiri"
    ]
    assert sorted(by_taesiri) == sorted(taesiri) and len(taesiri) == 2
    assert second_page == day[5:10]
    assert latest == day
