"""Each live source end to end, on SQLite and PostgreSQL: what lands, where, and idempotence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from dailypapers.services.bootstrap import Services
from tests.ingest.server import RecordedServer, json_reply, xml
from tests.ingest.support import (
    API_PATH,
    HF_PATH,
    OAI_PATH,
    arxiv_pages,
    hf_day,
    oai_token,
    script_arxiv,
    script_hf,
    script_oai,
    totals,
)

DAY = date(2025, 3, 17)


def test_arxiv_api_run_lands_every_paper_with_its_versions_and_listing_day(
    ingest_services: Services, server: RecordedServer
) -> None:
    script_arxiv(server)
    run = ingest_services.ingest.run("arxiv", since=DAY, until=DAY)
    assert run.status == "succeeded", run.error
    c = run.counts
    assert (c.pages, c.fetched, c.inserted, c.updated, c.unchanged, c.skipped) == (
        3,
        12,
        12,
        0,
        0,
        0,
    )
    assert (c.entries_added, c.versions_added) == (12, 14)  # v1 of each, v2 and v3 of two
    asked = server.requests(API_PATH)
    assert [r.query["start"] for r in asked] == ["0", "5", "10"]
    assert asked[0].query["search_query"] == (
        "(cat:cs.CL) AND submittedDate:[202503170000 TO 202503172359]"
    )
    assert (asked[0].query["max_results"], asked[0].query["sortBy"]) == ("5", "submittedDate")
    paper = ingest_services.papers.get("2503.12127")
    assert paper is not None and paper.version == 2 and paper.categories[0] == "cs.CL"
    versions = ingest_services.ingest.runs.versions("2503.12127")
    assert [v.version for v in versions] == [1, 2]
    entries = ingest_services.papers.entries_for("2503.12127")
    assert [(e.day, e.source) for e in entries] == [(DAY, "arxiv")]
    stored = ingest_services.ingest.status()[0]
    assert (stored.id, stored.status, stored.cursor, stored.since) == (
        run.id,
        "succeeded",
        None,
        DAY,
    )


def test_rerunning_a_window_changes_nothing(
    ingest_services: Services, server: RecordedServer
) -> None:
    script_arxiv(server)
    ingest_services.ingest.run("arxiv", since=DAY, until=DAY)
    before = totals(ingest_services)
    again = ingest_services.ingest.run("arxiv", since=DAY, until=DAY)
    c = again.counts
    assert (c.inserted, c.updated, c.unchanged, c.entries_added, c.versions_added) == (
        0,
        0,
        12,
        0,
        0,
    )
    assert totals(ingest_services) == before == (12, 12, 14)


def test_a_new_upstream_version_updates_the_paper_instead_of_adding_one(
    ingest_services: Services, server: RecordedServer
) -> None:
    script_arxiv(server)
    ingest_services.ingest.run("arxiv", since=DAY, until=DAY)
    first = arxiv_pages()[0].decode()
    revised = (
        first.replace("2503.11794v1", "2503.11794v2")
        .replace(
            "<updated>2025-03-17T17:00:00Z</updated>", "<updated>2025-03-20T09:30:00Z</updated>", 1
        )
        .replace("Vision-Language Models (VLMs) leverage", "Revised: VLMs leverage", 1)
    )
    script_arxiv(server, [revised.encode(), *arxiv_pages()[1:]])
    run = ingest_services.ingest.run("arxiv", since=DAY, until=DAY)
    assert (run.counts.inserted, run.counts.updated, run.counts.unchanged) == (0, 1, 11)
    paper = ingest_services.papers.get("2503.11794")
    assert paper is not None and paper.version == 2
    assert paper.abstract.startswith("Revised: VLMs leverage")
    assert [v.version for v in ingest_services.ingest.runs.versions("2503.11794")] == [1, 2]
    assert totals(ingest_services) == (12, 12, 15)


def test_hf_daily_papers_land_on_their_day_with_upvotes_repo_and_submitter(
    ingest_services: Services, server: RecordedServer, shared_data: Path
) -> None:
    script_hf(server, shared_data)
    run = ingest_services.ingest.run("hf", since=date(2025, 7, 23), until=date(2025, 7, 25))
    assert run.status == "succeeded", run.error
    assert [r.query["date"] for r in server.requests(HF_PATH)] == [
        "2025-07-23",
        "2025-07-24",
        "2025-07-25",
    ]
    recorded = json.loads(hf_day(shared_data, "2025-07-24"))
    assert (run.counts.pages, run.counts.fetched, run.counts.inserted) == (3, 7, 7)
    for item in recorded:
        view = ingest_services.listings.paper(item["paper"]["id"])
        assert view.paper.external_upvotes == item["paper"]["upvotes"]
        assert view.paper.github_repo == item["paper"].get("githubRepo")
        assert [(str(e.day), e.source) for e in view.entries] == [("2025-07-24", "hf")]
        assert view.entries[0].submitted_by == item["submittedBy"]["name"]
    for day in ("2024-05-27", "2026-08-21"):
        one = date.fromisoformat(day)
        run = ingest_services.ingest.run("hf", since=one, until=one)
        assert run.counts.inserted == len(json.loads(hf_day(shared_data, day)))


def test_new_hf_upvotes_and_stars_update_the_paper_and_its_day(
    sqlite_ingest: Services, server: RecordedServer, shared_data: Path
) -> None:
    ingest_services = sqlite_ingest
    script_hf(server, shared_data, days=("2025-07-24",))
    day = date(2025, 7, 24)
    ingest_services.ingest.run("hf", since=day, until=day)
    items = json.loads(hf_day(shared_data, "2025-07-24"))
    items[0]["paper"]["upvotes"] += 40
    items[0]["paper"]["githubStars"] = 1234
    server.script(HF_PATH, [json_reply(json.dumps(items))], date="2025-07-24")
    run = ingest_services.ingest.run("hf", since=day, until=day)
    assert (run.counts.inserted, run.counts.updated, run.counts.unchanged) == (0, 1, 6)
    paper = ingest_services.papers.get(items[0]["paper"]["id"])
    assert paper is not None and paper.github_stars == 1234
    assert paper.external_upvotes == items[0]["paper"]["upvotes"]
    page, _total = ingest_services.papers.listing(day, day, order="upvotes", limit=1, offset=0)
    assert page[0].paper.arxiv_id == max(items, key=lambda i: i["paper"]["upvotes"])["paper"]["id"]
    assert totals(ingest_services)[:2] == (7, 7)


def test_oai_harvest_follows_resumption_tokens_to_the_end(
    ingest_services: Services, server: RecordedServer
) -> None:
    script_oai(server)
    run = ingest_services.ingest.run("oai", since=date(2025, 3, 18), until=date(2025, 3, 19))
    assert run.status == "succeeded", run.error
    assert (run.counts.pages, run.counts.inserted, run.counts.skipped) == (6, 18, 0)
    asked = server.requests(OAI_PATH)
    assert asked[0].query == {
        "verb": "ListRecords",
        "metadataPrefix": "arXiv",
        "from": "2025-03-18",
        "until": "2025-03-19",
        "set": "cs",
    }
    assert [r.query.get("resumptionToken") for r in asked[1:]] == [
        oai_token(n) for n in range(2, 7)
    ]
    paper = ingest_services.papers.get("2503.12828")
    assert paper is not None and paper.authors[0] == "Quang Trung Truong"
    assert [str(e.day) for e in ingest_services.papers.entries_for("2503.12828")] == ["2025-03-18"]


def test_oai_arxivraw_records_every_version(
    tmp_path: Path, database_url: str, server: RecordedServer
) -> None:
    from tests.conftest import make_services
    from tests.ingest.conftest import upstream_settings

    services = make_services(
        tmp_path, database_url, **upstream_settings(server, oai_metadata_prefix="arXivRaw")
    )
    script_oai(server, "oai_raw")
    run = services.ingest.run("oai", since=date(2025, 3, 18), until=date(2025, 3, 19))
    assert (run.status, run.counts.inserted, run.counts.versions_added) == ("succeeded", 6, 9)
    paper = services.papers.get("2503.13684")
    assert paper is not None and paper.version == 3
    assert paper.authors == ["Minghan Li", "Chenxi Xie", "Yichen Wu", "Lei Zhang", "Mengyu Wang"]
    versions = services.ingest.runs.versions("2503.13684")
    assert [(v.version, v.submitted_at.isoformat()) for v in versions] == [
        (1, "2025-03-18T17:00:00+00:00"),
        (2, "2025-03-20T20:00:00+00:00"),
        (3, "2025-03-22T23:00:00+00:00"),
    ]
    services.close()


def test_a_file_import_is_recorded_as_a_run(sqlite_ingest: Services, shared_data: Path) -> None:
    ingest_services = sqlite_ingest
    path = shared_data / "hf_daily_papers" / "api_fixtures" / "daily_papers_2025-07-24.json"
    report = ingest_services.ingest.import_file(path, "hf-daily")
    run = ingest_services.ingest.status(source="import")[0]
    assert (run.status, run.trigger, run.params["kind"]) == ("succeeded", "import", "hf-daily")
    assert (run.counts.fetched, run.counts.inserted) == (report.fetched, report.inserted) == (7, 7)


def test_one_paper_can_be_fetched_by_id_for_submissions(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    import re

    page = arxiv_pages()[0].decode()
    entries = re.findall(r"  <entry>.*?</entry>\n", page, flags=re.DOTALL)
    one = page.replace("".join(entries), entries[1]).replace(">12<", ">1<")
    none = page.replace("".join(entries), "").replace(">12<", ">0<")
    server.script(API_PATH, [xml(one)], id_list="2503.12127")
    server.script(API_PATH, [xml(none)], id_list="2503.99999")
    paper = sqlite_ingest.ingest.arxiv.fetch("2503.12127")
    assert paper is not None and (paper.arxiv_id, paper.version) == ("2503.12127", 2)
    assert sqlite_ingest.ingest.arxiv.fetch("2503.99999") is None
