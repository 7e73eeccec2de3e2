"""Upstream faults during a run: each ends with the right counts, nothing lost or duplicated."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from dailypapers.services.bootstrap import Services
from tests.conftest import make_services
from tests.databases import sqlite_copy
from tests.ingest.conftest import upstream_settings
from tests.ingest.server import RecordedServer, Reply, json_reply, xml
from tests.ingest.support import (
    API_PATH,
    HF_PATH,
    OAI_PATH,
    arxiv_pages,
    hf_day,
    oai_pages,
    oai_token,
    script_arxiv,
    script_hf,
    script_oai,
    totals,
)

ARXIV_DAY = date(2025, 3, 17)
OAI_WINDOW = {"since": date(2025, 3, 18), "until": date(2025, 3, 19)}
HF_DAY = date(2025, 7, 24)


def _counts(run) -> tuple[int, ...]:
    c = run.counts
    return (c.fetched, c.inserted, c.updated, c.unchanged, c.skipped)


def test_503_with_retry_after_then_success(sqlite_ingest: Services, server: RecordedServer) -> None:
    script_arxiv(server)
    page_2 = arxiv_pages()[1]
    busy = Reply(b"", status=503, headers={"Retry-After": "1"})
    server.script(API_PATH, [busy, xml(page_2)], start="5")
    run = sqlite_ingest.ingest.run("arxiv", since=ARXIV_DAY, until=ARXIV_DAY)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (12, 12, 0, 0, 0)
    starts = [r.query["start"] for r in server.requests(API_PATH)]
    assert starts == ["0", "5", "5", "10"]
    assert totals(sqlite_ingest) == (12, 12, 14)


def test_a_connection_reset_mid_body_is_retried(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    page_2 = oai_pages()[1]
    script_oai(server, replies={2: [xml(page_2, cut_at=len(page_2) // 2), xml(page_2)]})
    run = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (18, 18, 0, 0, 0)
    assert len(server.requests(OAI_PATH)) == 7
    assert totals(sqlite_ingest)[:2] == (18, 18)


def test_a_truncated_xml_page_is_fetched_again_not_half_imported(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    page_3 = oai_pages()[2]
    cut = page_3[: len(page_3) * 2 // 3]  # a whole HTTP response whose XML stops mid-record
    script_oai(server, replies={3: [xml(cut), xml(page_3)]})
    run = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (18, 18, 0, 0, 0)
    asked = [r.query.get("resumptionToken") for r in server.requests(OAI_PATH)]
    assert asked.count(oai_token(3)) == 2


def test_a_page_that_stays_truncated_fails_the_run_and_a_rerun_resumes_there(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    page_3 = oai_pages()[2]
    script_oai(server, replies={3: [xml(page_3[: len(page_3) // 2])]})
    failed = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert failed.status == "failed"
    assert "XML cut off" in failed.error and "after 4 tries" in failed.error
    assert (failed.cursor, failed.counts.inserted) == (oai_token(3), 6)
    assert totals(sqlite_ingest)[0] == 6  # pages 1-2 kept, nothing of page 3
    script_oai(server)  # the server recovers
    resumed = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert (resumed.status, resumed.resumed_from) == ("succeeded", failed.id)
    assert _counts(resumed) == (12, 12, 0, 0, 0)
    assert server.requests(OAI_PATH)[-4].query["resumptionToken"] == oai_token(3)
    assert totals(sqlite_ingest)[:2] == (18, 18)


def test_invalid_json_is_fetched_again(
    sqlite_ingest: Services, server: RecordedServer, shared_data: Path
) -> None:
    good = hf_day(shared_data, "2025-07-24")
    server.script(HF_PATH, [json_reply(good[:-200]), json_reply(good)], date="2025-07-24")
    run = sqlite_ingest.ingest.run("hf", since=HF_DAY, until=HF_DAY)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (7, 7, 0, 0, 0)
    assert len(server.requests(HF_PATH)) == 2


def test_json_that_stays_invalid_fails_the_run_keeping_the_days_before(
    sqlite_ingest: Services, server: RecordedServer, shared_data: Path
) -> None:
    script_hf(server, shared_data, days=("2025-07-24",))
    server.script(HF_PATH, [json_reply("<html>Bad gateway</html>")], date="2025-07-25")
    since, until = date(2025, 7, 24), date(2025, 7, 26)
    failed = sqlite_ingest.ingest.run("hf", since=since, until=until)
    assert failed.status == "failed" and "invalid JSON" in failed.error
    assert (failed.cursor, failed.counts.inserted) == ("2025-07-25", 7)
    server.script(HF_PATH, [json_reply("[]")], date="2025-07-25")
    resumed = sqlite_ingest.ingest.run("hf", since=since, until=until)
    assert (resumed.status, resumed.resumed_from, resumed.counts.pages) == (
        "succeeded",
        failed.id,
        2,
    )
    assert [r.query["date"] for r in server.requests(HF_PATH)][-2:] == ["2025-07-25", "2025-07-26"]
    assert totals(sqlite_ingest)[:2] == (7, 7)


def test_an_empty_page_mid_listing_is_fetched_again(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    script_arxiv(server)
    page_2 = arxiv_pages()[1].decode()
    empty = re.sub(r"\s*<entry>.*</entry>", "", page_2, flags=re.DOTALL)
    server.script(API_PATH, [xml(empty), xml(page_2)], start="5")
    run = sqlite_ingest.ingest.run("arxiv", since=ARXIV_DAY, until=ARXIV_DAY)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (12, 12, 0, 0, 0)
    assert [r.query["start"] for r in server.requests(API_PATH)] == ["0", "5", "5", "10"]


def test_an_empty_window_succeeds_with_nothing(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    first = arxiv_pages()[0].decode()
    nothing = re.sub(r"\s*<entry>.*</entry>", "", first, flags=re.DOTALL).replace(
        "<opensearch:totalResults>12<", "<opensearch:totalResults>0<"
    )
    server.script(API_PATH, [xml(nothing)])
    no_match = oai_pages()[0].decode().split("<ListRecords>")[0] + (
        '<error code="noRecordsMatch">No records match</error>\n</OAI-PMH>\n'
    )
    server.script(OAI_PATH, [xml(no_match)])
    for source in ("arxiv", "oai"):
        run = sqlite_ingest.ingest.run(source, since=ARXIV_DAY, until=ARXIV_DAY)
        assert (run.status, run.counts.pages, run.counts.fetched) == ("succeeded", 1, 0)
    assert totals(sqlite_ingest) == (0, 0, 0)


def test_an_expired_resumption_token_restarts_from_the_stored_date(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    script_oai(server, replies={4: [Reply(b"", status=503)]})
    failed = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert (failed.status, failed.cursor, totals(sqlite_ingest)[0]) == ("failed", oai_token(4), 9)
    expired = oai_pages()[0].decode().split("<ListRecords>")[0] + (
        '<error code="badResumptionToken">The value of the resumptionToken argument is '
        "invalid or expired.</error>\n</OAI-PMH>\n"
    )
    script_oai(server)
    server.script(OAI_PATH, [xml(expired)], resumptionToken=oai_token(4))
    server.script(OAI_PATH, [xml(oai_pages()[3])], resumptionToken=oai_token(4) + "-fresh")
    # After the restart the server hands out fresh tokens: page 3's now leads to the new one.
    fresh_page_3 = oai_pages()[2].decode().replace(oai_token(4), oai_token(4) + "-fresh")
    server.script(OAI_PATH, [xml(fresh_page_3)], resumptionToken=oai_token(3))
    before = len(server.requests(OAI_PATH))
    resumed = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert resumed.status == "succeeded", resumed.error
    assert resumed.resumed_from == failed.id
    assert any("badResumptionToken" in e and "restarted the harvest from 2025-03-18" in e
               for e in resumed.counts.errors)  # fmt: skip
    asked = [r.query for r in server.requests(OAI_PATH)][before:]
    assert asked[0].get("resumptionToken") == oai_token(4)  # the stored token, refused
    assert asked[1].get("from") == "2025-03-18"  # then from the stored date again
    assert len(asked) == 7
    assert (resumed.counts.inserted, resumed.counts.unchanged) == (9, 9)
    assert totals(sqlite_ingest)[:2] == (18, 18)


def test_a_server_slower_than_the_timeout_is_retried(
    tmp_path: Path, server: RecordedServer, shared_data: Path
) -> None:
    settings = upstream_settings(server, http_read_timeout_s=0.5)
    services = make_services(tmp_path, sqlite_copy(tmp_path / "slow.db"), **settings)
    good = hf_day(shared_data, "2025-07-24")
    server.script(HF_PATH, [json_reply(good, delay_s=1.5), json_reply(good)], date="2025-07-24")
    run = services.ingest.run("hf", since=HF_DAY, until=HF_DAY)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (7, 7, 0, 0, 0)
    assert len(server.requests(HF_PATH)) == 2
    services.close()


def test_a_record_on_two_pages_is_stored_once(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    pages = [p.decode() for p in arxiv_pages()]
    last_of_page_2 = re.findall(r"  <entry>.*?</entry>\n", pages[1], flags=re.DOTALL)[-1]
    pages[2] = pages[2].replace("  <entry>", last_of_page_2 + "  <entry>", 1)
    script_arxiv(server, [p.encode() for p in pages])
    run = sqlite_ingest.ingest.run("arxiv", since=ARXIV_DAY, until=ARXIV_DAY)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (13, 12, 0, 1, 0)
    assert totals(sqlite_ingest) == (12, 12, 14)


def test_the_same_record_twice_on_one_page_is_merged_and_counted(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    pages = [p.decode() for p in arxiv_pages()]
    first_entry = re.findall(r"  <entry>.*?</entry>\n", pages[2], flags=re.DOTALL)[0]
    pages[2] = pages[2].replace("</feed>", first_entry + "</feed>")
    script_arxiv(server, [p.encode() for p in pages])
    run = sqlite_ingest.ingest.run("arxiv", since=ARXIV_DAY, until=ARXIV_DAY)
    assert _counts(run) == (13, 12, 0, 0, 1)
    assert "the same paper twice on one page (merged into one)" in run.counts.reasons


def test_malformed_records_are_counted_skipped_with_their_position_and_the_rest_lands(
    sqlite_ingest: Services, server: RecordedServer
) -> None:
    pages = [p.decode() for p in oai_pages()]
    records = re.findall(r"<record>.*?</record>", pages[1], flags=re.DOTALL)
    broken = [
        records[0].replace("</title>", "</titel>", 1),  # not well-formed
        re.sub(r"<id>[^<]+</id>", "<id></id>", records[1], count=1),  # missing id
        re.sub(r"<created>[^<]+</created>", "<created>18 March</created>", records[2]),
    ]
    for old, new in zip(records, broken, strict=True):
        pages[1] = pages[1].replace(old, new)
    deleted = (
        '<record><header status="deleted"><identifier>oai:arXiv.org:2503.00001</identifier>'
        "<datestamp>2025-03-19</datestamp><setSpec>cs</setSpec></header></record>\n"
    )
    pages[2] = pages[2].replace("<resumptionToken", deleted + "<resumptionToken")
    script_oai(server, replies={2: [xml(pages[1])], 3: [xml(pages[2])]})
    run = sqlite_ingest.ingest.run("oai", **OAI_WINDOW)
    assert run.status == "succeeded", run.error
    assert _counts(run) == (19, 15, 0, 0, 4)
    reasons = run.counts.reasons
    assert reasons["missing id"] == 1
    assert reasons["deleted upstream (kept here as it is)"] == 1
    assert any(r.startswith("created: unparsable date") for r in reasons)
    assert any(r.startswith("not well-formed XML") for r in reasons)
    assert any(e.startswith(f"oai page 2 (token {oai_token(2)}) record 1: not well-formed")
               for e in run.counts.errors)  # fmt: skip
    assert totals(sqlite_ingest)[:2] == (15, 15)
    stored = json.dumps(sqlite_ingest.ingest.status()[0].as_dict())
    assert "record 2: missing id" in stored
