"""Pure parts of live ingest: the daily schedule, windows, run counts, and page parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dailypapers.domain.ingest import (
    RunCounts,
    next_daily_run,
    parse_daily_time,
    parse_sources,
    window_days,
)
from dailypapers.errors import BadRequest, SourceError
from dailypapers.ingest.arxiv_api import parse_atom_page, search_query
from dailypapers.ingest.arxiv_oai import parse_oai_page
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily_api import parse_hf_page
from dailypapers.ingest.http import MalformedPage
from dailypapers.ingest.xml_pages import parse_xml_page

SIX = parse_daily_time("06:00")


def at(hour: int, minute: int = 0, day: int = 21) -> datetime:
    return datetime(2026, 8, day, hour, minute, tzinfo=UTC)


def test_before_the_daily_time_the_job_waits_for_it() -> None:
    assert next_daily_run(at(5, 59), SIX, None) == at(6)


def test_after_the_daily_time_the_job_is_due_unless_it_already_started_today() -> None:
    assert next_daily_run(at(6, 1), SIX, None) <= at(6, 1)
    assert next_daily_run(at(6, 1), SIX, at(6, 0, day=20)) <= at(6, 1)
    assert next_daily_run(at(23), SIX, at(6, 1)) == at(6, day=22)


def test_sources_and_times_are_checked() -> None:
    assert parse_sources(" hf, arxiv,hf ") == ["hf", "arxiv"]
    assert parse_sources("") == []
    with pytest.raises(BadRequest, match="unknown ingest source"):
        parse_sources("hf,rss")
    with pytest.raises(BadRequest, match="not a time of day"):
        parse_daily_time("6am")


def test_windows_are_inclusive_and_ordered() -> None:
    assert window_days(date(2026, 8, 20), date(2026, 8, 21)) == [
        date(2026, 8, 20),
        date(2026, 8, 21),
    ]
    with pytest.raises(BadRequest, match="before"):
        window_days(date(2026, 8, 21), date(2026, 8, 20))


def test_counts_add_up_and_keep_a_bounded_error_list() -> None:
    total = RunCounts()
    for _ in range(60):
        part = RunCounts(pages=1, fetched=2, inserted=1)
        part.skip("missing id", "page: missing id")
        total.add(part)
    assert (total.pages, total.fetched, total.inserted, total.skipped) == (60, 120, 60, 60)
    assert total.reasons["missing id"] == 60 and len(total.errors) == 50


def test_the_arxiv_query_names_categories_and_submission_window() -> None:
    query = search_query(["cs.CL", "cs.LG"], date(2026, 8, 20), date(2026, 8, 21))
    assert query == "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202608200000 TO 202608212359]"
    with pytest.raises(SourceError):
        search_query([], date(2026, 8, 20), date(2026, 8, 21))


def test_a_cut_off_xml_page_is_refetched_not_salvaged() -> None:
    text = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id></entry>'
    with pytest.raises(MalformedPage, match="cut off"):
        parse_xml_page(text, root="feed", item="entry", item_ns="http://www.w3.org/2005/Atom")


def test_a_whole_page_with_one_broken_item_keeps_the_others() -> None:
    ns = "http://www.w3.org/2005/Atom"
    text = (
        f'<feed xmlns="{ns}"><title>t</title><entry><id>a</id></entry>'
        "<entry><id>b & c</id></entry><entry><id>d</id></entry></feed>"
    )
    page = parse_xml_page(text, root="feed", item="entry", item_ns=ns)
    assert page.salvaged and [i.error is None for i in page.items] == [True, False, True]
    assert page.items[2].element.findtext(f"{{{ns}}}id") == "d"


def test_an_arxiv_api_error_feed_is_a_source_error() -> None:
    text = (
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        "<opensearch:totalResults>1</opensearch:totalResults>"
        "<entry><id>http://arxiv.org/api/errors#max_results_out_of_range</id><title>Error</title>"
        "<summary>max_results must be less than 30000</summary></entry></feed>"
    )
    with pytest.raises(SourceError, match="max_results must be less than 30000"):
        parse_atom_page(text, start=0, limits=RecordLimits())


def test_an_oai_error_other_than_no_records_is_a_source_error() -> None:
    text = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        '<error code="cannotDisseminateFormat">bad prefix</error></OAI-PMH>'
    )
    with pytest.raises(SourceError, match="cannotDisseminateFormat: bad prefix"):
        parse_oai_page(text, limits=RecordLimits())


def test_an_hf_page_must_be_a_json_list() -> None:
    with pytest.raises(MalformedPage, match="expected a JSON list"):
        parse_hf_page(b'{"error": "x"}', limits=RecordLimits())
    page = parse_hf_page(b'[{"paper": {"id": "nope"}}]', limits=RecordLimits(), label="hf d")
    assert [str(e) for e in page.errors] == [
        "hf d[0]: paper.id: 'nope' is not an arXiv id (expected e.g. 2405.15738 or hep-th/9901001)"
    ]
