"""Calendar periods a listing shows: a day, an ISO week (`2025-W30`) or a month (`2025-07`)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from dailypapers.errors import BadRequest

PeriodKind = Literal["day", "week", "month"]

_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of days `[start, end]` and the label it was asked by."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.kind, self.end + timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.start <= day <= self.end


def period_containing(kind: PeriodKind, day: date) -> Period:
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period("week", start, start + timedelta(days=6))
    start = day.replace(day=1)
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", start, day.replace(day=last))


def parse_day(text: str, *, name: str | None = None) -> date:
    """The one YYYY-MM-DD parser (pages, API, CLI, services). BadRequest if malformed;
    `name` (a parameter such as `from`) starts the message when given."""
    lead = f"{name}: " if name else ""
    if not isinstance(text, str) or not _DAY.fullmatch(text.strip()):
        raise BadRequest(f"{lead}{text!r} is not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadRequest(f"{lead}{text!r} is not a date: {exc}") from None


def parse_optional_day(text: str | None, *, name: str | None = None) -> date | None:
    """`parse_day`, with None or "" (a parameter left out) meaning no date."""
    return parse_day(text, name=name) if text else None


def parse_week(text: str) -> Period:
    match = _WEEK.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise BadRequest(f"{text!r} is not an ISO week (expected YYYY-Www, e.g. 2025-W30)")
    year, week = int(match[1]), int(match[2])
    try:
        start = date.fromisocalendar(year, week, 1)
        return Period("week", start, start + timedelta(days=6))
    except (ValueError, OverflowError):
        raise BadRequest(f"{text!r} is not an ISO week: {year} has no week {week}") from None


def parse_month(text: str) -> Period:
    match = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise BadRequest(f"{text!r} is not a month (expected YYYY-MM, e.g. 2025-07)")
    return period_containing("month", date(int(match[1]), int(match[2]), 1))


def parse_period(kind: PeriodKind, text: str) -> Period:
    if kind == "day":
        return Period("day", parse_day(text), parse_day(text))
    if kind == "week":
        return parse_week(text)
    return parse_month(text)
