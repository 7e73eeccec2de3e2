"""HF's own fields are kept as the import gave them, and merged without losing precision."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dailypapers.domain.papers import Paper, merge_paper
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily import parse_hf_record
from tests.web.support import api_fixture


def _paper(**fields: object) -> Paper:
    return Paper(arxiv_id="2507.17744", title="T", abstract="A", **fields)  # type: ignore[arg-type]


def test_an_hf_item_keeps_its_submitter_authors_and_discussion_verbatim() -> None:
    item = json.loads(api_fixture("2026-08-21").read_text())[1]

    record = parse_hf_record(item, RecordLimits())

    hf = record.paper.hf_fields or {}
    assert hf["authors"] == item["paper"]["authors"]
    assert hf["submittedOnDailyBy"] == item["paper"]["submittedOnDailyBy"]
    assert hf["discussionId"] == item["paper"]["discussionId"]
    assert hf["organization"]["fullname"] == item["paper"]["organization"]["fullname"]
    assert record.entries[0].hf_item is not None
    assert record.entries[0].hf_item["submittedBy"] == item["submittedBy"]
    assert record.entries[0].hf_item["isAuthorParticipating"] is True


def test_a_2024_items_media_url_is_its_thumbnail() -> None:
    item = json.loads(api_fixture("2024-05-27").read_text())[0]

    record = parse_hf_record(item, RecordLimits())

    assert record.paper.thumbnail == item["mediaUrl"]


def test_a_later_record_adds_hf_fields_without_dropping_earlier_ones() -> None:
    old = _paper(hf_fields={"discussionId": "d1", "mediaUrls": ["m"]})
    new = _paper(hf_fields={"discussionId": "d2"})

    assert merge_paper(old, new).hf_fields == {"discussionId": "d2", "mediaUrls": ["m"]}


def test_a_bare_listing_date_keeps_the_precise_time() -> None:
    precise = datetime(2025, 7, 23, 17, 57, 9, tzinfo=UTC)
    old = _paper(published_at=precise)

    same_day = merge_paper(old, _paper(published_at=datetime(2025, 7, 23, tzinfo=UTC)))
    listed_next_day = merge_paper(old, _paper(published_at=datetime(2025, 7, 24, tzinfo=UTC)))
    other_precise = datetime(2025, 7, 22, 9, 30, tzinfo=UTC)
    corrected = merge_paper(old, _paper(published_at=other_precise))

    assert same_day.published_at == precise
    assert listed_next_day.published_at == precise
    assert corrected.published_at == other_precise


def test_a_precise_time_replaces_a_bare_date() -> None:
    old = _paper(published_at=datetime(2025, 7, 24, tzinfo=UTC))
    precise = datetime(2025, 7, 23, 17, 57, 9, tzinfo=UTC)

    assert merge_paper(old, _paper(published_at=precise)).published_at == precise
