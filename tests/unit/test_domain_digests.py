"""Digest rules as a specification: schedules, content windows, what a digest holds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dailypapers.domain.digests import (
    Candidate,
    DigestPrefs,
    Reason,
    SavedQuery,
    base_id,
    latest_slot,
    message_id,
    normalise_email,
    parse_categories,
    select_items,
    slot_for_label,
    slot_label,
    snippet,
    trim_text,
    window_start,
)
from dailypapers.domain.papers import Paper
from dailypapers.domain.search import Span
from dailypapers.errors import BadRequest


def paper(arxiv_id: str) -> Paper:
    return Paper(arxiv_id=arxiv_id, title=f"Title {arxiv_id}", abstract="An abstract.")


def trending(*ids: str) -> list[Candidate]:
    return [Candidate(paper(i), Reason("trending", rank=n)) for n, i in enumerate(ids, 1)]


def test_daily_slot_is_today_after_the_hour_and_yesterday_before_it() -> None:
    prefs = DigestPrefs(frequency="daily", send_hour=8)
    assert latest_slot(prefs, datetime(2026, 8, 21, 9, tzinfo=UTC)) == datetime(
        2026, 8, 21, 8, tzinfo=UTC
    )
    assert latest_slot(prefs, datetime(2026, 8, 21, 7, 59, tzinfo=UTC)) == datetime(
        2026, 8, 20, 8, tzinfo=UTC
    )


def test_weekly_slot_is_the_last_chosen_weekday_at_the_hour() -> None:
    prefs = DigestPrefs(frequency="weekly", send_hour=6, send_weekday=0)  # Mondays
    friday = datetime(2026, 8, 21, 12, tzinfo=UTC)
    slot = latest_slot(prefs, friday)
    assert slot == datetime(2026, 8, 17, 6, tzinfo=UTC)
    assert slot_label("weekly", slot) == "2026-W34"
    assert slot_for_label(prefs, "2026-W34") == slot
    monday_early = datetime(2026, 8, 17, 5, tzinfo=UTC)
    assert latest_slot(prefs, monday_early) == datetime(2026, 8, 10, 6, tzinfo=UTC)


def test_period_labels_round_trip_and_bad_ones_are_refused() -> None:
    prefs = DigestPrefs(send_hour=7)
    assert slot_for_label(prefs, "2026-08-21") == datetime(2026, 8, 21, 7, tzinfo=UTC)
    assert slot_label("daily", datetime(2026, 8, 21, 7, tzinfo=UTC)) == "2026-08-21"
    with pytest.raises(BadRequest):
        slot_for_label(prefs, "2026-13-01")


def test_a_digest_looks_back_to_the_previous_one_so_a_missed_slot_loses_nothing() -> None:
    slot = datetime(2026, 8, 21, 8, tzinfo=UTC)
    assert window_start("daily", slot, None, 14) == date(2026, 8, 20)
    three_days_ago = datetime(2026, 8, 18, 8, tzinfo=UTC)
    assert window_start("daily", slot, three_days_ago, 14) == date(2026, 8, 18)
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    assert window_start("weekly", slot, long_ago, 14) == date(2026, 8, 7)


def test_already_sent_papers_are_left_out_by_base_id() -> None:
    items = select_items(
        [trending("2608.00001", "2608.00002v3", "2608.00003")],
        {"2608.00002"},
        max_items=10,
        per_section=10,
    )
    assert [i.key for i in items] == ["2608.00001", "2608.00003"]


def test_a_paper_in_two_sections_appears_once_with_both_reasons() -> None:
    cross_listed = paper("2608.00009")
    sections = [
        trending("2608.00001", "2608.00009"),
        [Candidate(cross_listed, Reason("category", category="cs.CL"))],
        [Candidate(cross_listed, Reason("category", category="cs.LG"))],
    ]
    items = select_items(sections, set(), max_items=10, per_section=10)
    assert [i.key for i in items] == ["2608.00001", "2608.00009"]
    assert [r.describe() for r in items[1].reasons] == [
        "#2 in trending",
        "new in cs.CL",
        "new in cs.LG",
    ]


def test_sections_and_the_whole_digest_are_capped() -> None:
    many = trending(*[f"2608.{n:05d}" for n in range(1, 30)])
    assert len(select_items([many], set(), max_items=20, per_section=5)) == 5
    two = [many[:15], trending(*[f"2609.{n:05d}" for n in range(1, 30)])]
    assert len(select_items(two, set(), max_items=20, per_section=15)) == 20


def test_message_ids_carry_the_period_and_a_random_nonce_never_a_row_number() -> None:
    assert message_id("2026-08-21", "example.org", "ab12") == "<digest.2026-08-21.ab12@example.org>"
    assert message_id("2026-08-21", "example.org", "ab12") != message_id(
        "2026-08-22", "example.org", "ab12"
    )


def test_emails_are_normalised_and_junk_is_refused() -> None:
    assert normalise_email("  Ada@Example.ORG ") == "ada@example.org"
    for bad in ["", "ada", "ada@", "@example.org", "a b@example.org", "ada@example", "a@@b.org"]:
        with pytest.raises(BadRequest):
            normalise_email(bad)


def test_categories_parse_and_bad_names_are_refused() -> None:
    assert parse_categories("cs.CL, cs.LG cs.CL hep-th") == ("cs.CL", "cs.LG", "hep-th")
    with pytest.raises(BadRequest):
        parse_categories("cs.CL; DROP TABLE")


def test_prefs_need_something_to_send_and_respect_limits() -> None:
    limits = {"max_queries": 2, "max_categories": 2, "max_query_length": 50}
    DigestPrefs().check(**limits)
    with pytest.raises(BadRequest, match="choose something"):
        DigestPrefs(include_trending=False).check(**limits)
    with pytest.raises(BadRequest, match="at most 2 saved"):
        DigestPrefs(queries=tuple(SavedQuery(f"q{n}") for n in range(3))).check(**limits)
    with pytest.raises(BadRequest):
        DigestPrefs(send_hour=24).check(**limits)


def test_trim_cuts_at_a_word_and_snippet_marks_matches() -> None:
    assert trim_text("one  two\nthree four", 12) == "one two…"
    text = "We study diffusion models. Video diffusion is hard."
    runs = snippet(text, [Span(9, 18), Span(33, 42)], width=200)
    assert [piece for piece, hit in runs if hit] == ["diffusion", "diffusion"]
    assert "".join(piece for piece, _ in runs) == text
    assert base_id("2405.15738v2") == "2405.15738"
