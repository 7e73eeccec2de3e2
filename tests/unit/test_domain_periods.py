"""dailypapers.domain.periods: days, ISO weeks and months a feed can show."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dailypapers.domain.periods import (
    Period,
    parse_day,
    parse_month,
    parse_optional_day,
    parse_period,
    parse_week,
    period_containing,
)
from dailypapers.errors import BadRequest

# --- days ----------------------------------------------------------------------------------


def test_day_parses_to_a_one_day_period():
    period = parse_period("day", "2025-07-24")
    assert (period.start, period.end) == (date(2025, 7, 24), date(2025, 7, 24))
    assert period.label == "2025-07-24"


def test_day_ignores_surrounding_whitespace():
    assert parse_day(" 2024-02-29\n") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text", ["2025-02-30", "2023-02-29", "2025-13-01", "2025-00-10", "0000-01-01"]
)
def test_impossible_day_is_a_bad_request(text):
    with pytest.raises(BadRequest, match="is not a date"):
        parse_day(text)


@pytest.mark.parametrize(
    "text", ["", "today", "2025-7-4", "20250704", "2025-07-04T10:00", "25-07-04"]
)
def test_malformed_day_is_a_bad_request_showing_the_format(text):
    with pytest.raises(BadRequest, match="expected YYYY-MM-DD"):
        parse_day(text)


def test_a_left_out_day_parameter_is_no_date_and_a_bad_one_names_the_parameter():
    assert parse_optional_day(None) is None and parse_optional_day("", name="from") is None
    assert parse_optional_day("2025-07-04", name="from") == date(2025, 7, 4)
    with pytest.raises(BadRequest, match=r"^to: '20250704' is not a date \(expected YYYY-MM-DD\)"):
        parse_optional_day("20250704", name="to")


def test_non_string_day_is_a_bad_request():
    with pytest.raises(BadRequest):
        parse_day(None)  # type: ignore[arg-type]


def test_previous_and_next_day():
    day = parse_period("day", "2025-01-01")
    assert day.previous().start == date(2024, 12, 31)
    assert day.next().start == date(2025, 1, 2)


# --- ISO weeks -----------------------------------------------------------------------------


def test_week_runs_monday_to_sunday():
    week = parse_week("2025-W30")
    assert week.start == date(2025, 7, 21)
    assert week.start.weekday() == 0
    assert week.end == date(2025, 7, 27)
    assert week.label == "2025-W30"


def test_first_week_of_2025_starts_in_december_2024():
    week = parse_week("2025-W01")
    assert week.start == date(2024, 12, 30)
    assert week.end == date(2025, 1, 5)
    assert week.label == "2025-W01"


def test_week_53_exists_in_a_53_week_year():
    week = parse_week("2020-W53")
    assert (week.start, week.end) == (date(2020, 12, 28), date(2021, 1, 3))
    assert week.label == "2020-W53"


def test_week_53_of_2026_ends_in_2027():
    week = parse_week("2026-W53")
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))


def test_week_53_is_refused_in_a_52_week_year():
    with pytest.raises(BadRequest, match="2021 has no week 53"):
        parse_week("2021-W53")


@pytest.mark.parametrize("text", ["2025-W00", "2025-W54", "2025-W99"])
def test_week_number_out_of_range_is_a_bad_request(text):
    with pytest.raises(BadRequest, match="is not an ISO week"):
        parse_week(text)


@pytest.mark.parametrize("text", ["2025-W1", "2025W30", "2025-w30", "2025-30", "", "W30-2025"])
def test_malformed_week_is_a_bad_request_showing_the_format(text):
    with pytest.raises(BadRequest, match="expected YYYY-Www"):
        parse_week(text)


def test_non_string_week_is_a_bad_request():
    with pytest.raises(BadRequest):
        parse_week(202530)  # type: ignore[arg-type]


def test_week_that_does_not_fit_the_calendar_is_a_bad_request():
    # 9999-W52 would end on 10000-01-02, past the last representable date.
    with pytest.raises(BadRequest):
        parse_week("9999-W52")


def test_week_containing_new_years_day_belongs_to_the_iso_year_of_its_thursday():
    week = period_containing("week", date(2021, 1, 1))  # a Friday in 2020-W53
    assert week.label == "2020-W53"
    assert week.start == date(2020, 12, 28)


def test_previous_week_crosses_the_year_boundary():
    previous = parse_week("2025-W01").previous()
    assert previous.label == "2024-W52"
    assert (previous.start, previous.end) == (date(2024, 12, 23), date(2024, 12, 29))


def test_next_week_after_week_53_is_week_1():
    following = parse_week("2020-W53").next()
    assert following.label == "2021-W01"
    assert following.start == date(2021, 1, 4)


def test_previous_and_next_weeks_are_adjacent():
    week = parse_week("2025-W30")
    assert week.previous().end == date(2025, 7, 20)
    assert week.next().start == date(2025, 7, 28)
    assert week.next().previous() == week


# --- months --------------------------------------------------------------------------------


def test_month_covers_its_first_to_last_day():
    month = parse_month("2025-07")
    assert (month.start, month.end) == (date(2025, 7, 1), date(2025, 7, 31))
    assert month.label == "2025-07"


def test_february_of_a_leap_year_has_29_days():
    assert parse_month("2024-02").end == date(2024, 2, 29)


def test_february_of_a_common_year_has_28_days():
    assert parse_month("2025-02").end == date(2025, 2, 28)


def test_february_of_a_century_that_is_not_a_leap_year_has_28_days():
    assert parse_month("1900-02").end == date(1900, 2, 28)
    assert parse_month("2000-02").end == date(2000, 2, 29)


def test_thirty_day_month_ends_on_the_30th():
    assert parse_month("2025-04").end == date(2025, 4, 30)


def test_december_ends_on_the_31st():
    assert parse_month("2024-12").end == date(2024, 12, 31)


def test_next_month_after_december_is_january_of_the_next_year():
    following = parse_month("2024-12").next()
    assert following.label == "2025-01"
    assert (following.start, following.end) == (date(2025, 1, 1), date(2025, 1, 31))


def test_previous_month_before_january_is_december_of_the_previous_year():
    previous = parse_month("2025-01").previous()
    assert previous.label == "2024-12"
    assert previous.end == date(2024, 12, 31)


def test_previous_month_from_march_of_a_leap_year_is_a_29_day_february():
    assert parse_month("2024-03").previous().end == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-7", "2025/07", "July 2025", "", "2025-07-01"]
)
def test_bad_month_is_a_bad_request_showing_the_format(text):
    with pytest.raises(BadRequest, match="expected YYYY-MM"):
        parse_month(text)


def test_month_in_year_zero_is_a_bad_request():
    with pytest.raises(BadRequest):
        parse_month("0000-01")


def test_last_representable_month_still_parses():
    month = parse_month("9999-12")
    assert (month.start, month.end) == (date(9999, 12, 1), date(9999, 12, 31))


def test_parse_period_dispatches_on_kind():
    assert parse_period("week", "2025-W30") == parse_week("2025-W30")
    assert parse_period("month", "2025-07") == parse_month("2025-07")


# --- membership ----------------------------------------------------------------------------


def test_period_contains_its_first_and_last_day_only():
    week = parse_week("2025-W01")
    assert date(2024, 12, 30) in week
    assert date(2025, 1, 5) in week
    assert date(2024, 12, 29) not in week
    assert date(2025, 1, 6) not in week


def test_period_does_not_contain_things_that_are_not_dates():
    assert "2025-07-01" not in parse_month("2025-07")


def test_period_equality_is_by_value():
    assert Period("month", date(2025, 7, 1), date(2025, 7, 31)) == parse_month("2025-07")


def test_a_timestamp_is_in_the_period_of_its_day():
    # datetime is a date subclass, so it passes the isinstance check in __contains__.
    month = parse_month("2025-07")
    assert datetime(2025, 7, 15, 12, 30) in month
    assert datetime(2025, 8, 1, 0, 0) not in month
