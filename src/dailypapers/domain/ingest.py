"""Live ingest as the rest of the system sees it: runs, their counts, pages, versions, schedule.

A *run* harvests one source (`arxiv`, `oai`, `hf`, or a file import) over a window of days.
Sources deliver *pages*: a page is parsed whole before anything of it is written, then written
in one transaction, then its cursor (an arXiv API offset, an OAI-PMH resumption token, the
last HF day done) is stored, so a run that dies replays at most one page, and replaying is
harmless because writes merge. Pure data and arithmetic: no clock reads, no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from dailypapers.domain.papers import SourceRecord
from dailypapers.errors import BadRequest, RecordError

IngestSource = Literal["arxiv", "oai", "hf"]
INGEST_SOURCES: tuple[IngestSource, ...] = ("arxiv", "oai", "hf")
RunStatus = Literal["running", "succeeded", "failed"]
Trigger = Literal["cli", "schedule", "import"]

MAX_ERRORS_KEPT = 50
#: The counts an ingest_runs row keeps (storage/ingest_runs.py stores exactly these).
RUN_COUNT_FIELDS = (
    "pages",
    "fetched",
    "inserted",
    "updated",
    "unchanged",
    "skipped",
    "entries_added",
    "versions_added",
)


@dataclass(slots=True, frozen=True)
class PaperVersion:
    """One arXiv version of a paper and when it was submitted (None: unknown)."""

    arxiv_id: str
    version: int
    submitted_at: datetime | None = None


@dataclass(slots=True)
class Page:
    """One fully parsed upstream response: what to write, what was skipped, where to go next.

    `cursor` is where the *next* page starts; None means this page was the last one, and ""
    means "from the window's start again" (an OAI-PMH token expired). `total` is the number
    of records the whole listing holds, when the source says so. `notice` is something the
    run's record should mention (a restart).
    """

    records: list[SourceRecord] = field(default_factory=list)
    versions: list[PaperVersion] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    cursor: str | None = None
    total: int | None = None
    label: str = ""
    notice: str | None = None

    @property
    def received(self) -> int:
        return len(self.records) + len(self.errors)


@dataclass(slots=True)
class RunCounts:
    """What a run did. `fetched` == inserted + updated + unchanged + skipped, always.

    The one report of every run: live ingest (`arxiv`, `oai`, `hf`) and file imports alike
    (an import reads records, not pages, and adds no versions, so those stay 0).
    """

    pages: int = 0
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    entries_added: int = 0
    versions_added: int = 0
    retries: int = 0  # batches written again after the database was unavailable
    bulk: bool = False  # a file import that built the keyword index once at the end
    reasons: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # the first MAX_ERRORS_KEPT, with positions

    def skip(self, reason: str, message: str) -> None:
        self.skipped += 1
        self.reasons[reason] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)

    def add(self, other: RunCounts) -> None:
        for name in (*RUN_COUNT_FIELDS, "retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reasons.update(other.reasons)
        room = MAX_ERRORS_KEPT - len(self.errors)
        self.errors.extend(other.errors[: max(room, 0)])

    def as_dict(self) -> dict:
        return {
            "pages": self.pages,
            "fetched": self.fetched,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "entries_added": self.entries_added,
            "versions_added": self.versions_added,
            "retries": self.retries,
            "bulk": self.bulk,
            "skip_reasons": dict(self.reasons.most_common()),
            "errors": list(self.errors),
        }

    def as_import_dict(self, path: str, kind: str) -> dict:
        """A file import's summary (`dailypapers import --json`): records `read`, no pages."""
        left_out = {"pages", "fetched", "versions_added"}
        return {
            "path": path,
            "kind": kind,
            "read": self.fetched,
            **{k: v for k, v in self.as_dict().items() if k not in left_out},
        }


@dataclass(slots=True)
class IngestRun:
    """One recorded run (a row of ingest_runs)."""

    id: int
    source: str
    status: RunStatus
    trigger: Trigger
    since: date | None
    until: date | None
    params: dict
    cursor: str | None
    counts: RunCounts
    error: str | None
    owner: str | None
    started_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime | None
    resumed_from: int | None = None

    @property
    def finished(self) -> bool:
        return self.status != "running"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "trigger": self.trigger,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "params": self.params,
            "cursor": self.cursor,
            "resumed_from": self.resumed_from,
            **self.counts.as_dict(),
            "error": self.error,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "heartbeat_at": self.heartbeat_at.isoformat() if self.heartbeat_at else None,
        }


# --- windows and schedule ---------------------------------------------------------------
def parse_sources(text: str) -> list[IngestSource]:
    """`"hf,arxiv"` -> ["hf", "arxiv"]; unknown names are a configuration mistake."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in INGEST_SOURCES]
    if unknown:
        raise BadRequest(
            f"unknown ingest source(s) {', '.join(unknown)}; known: {', '.join(INGEST_SOURCES)}"
        )
    return list(dict.fromkeys(names))  # type: ignore[arg-type]


def parse_daily_time(text: str) -> time:
    """`"06:00"` -> 06:00 UTC."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes), tzinfo=UTC)
    except ValueError:
        raise BadRequest(f"{text!r} is not a time of day (expected HH:MM, UTC)") from None


def daily_slot(now: datetime, at: time) -> datetime:
    """Today's (UTC) slot at `at`, whether or not `now` has reached it."""
    return datetime.combine(now.astimezone(UTC).date(), at.replace(tzinfo=None), tzinfo=UTC)


def next_daily_run(now: datetime, at: time, last_started: datetime | None) -> datetime:
    """When a once-a-day job is due next, given when it last started (None: never).

    Before today's slot: today's slot. After it: now-or-past (due) unless a run already started
    in this slot, then tomorrow's slot. A day missed while nothing ran is not caught up twice:
    the next run's window starts where the last successful one ended.
    """
    slot = daily_slot(now, at)
    if now < slot:
        return slot
    if last_started is None or last_started < slot:
        return slot
    return slot + timedelta(days=1)


def window_days(since: date, until: date) -> list[date]:
    if until < since:
        raise BadRequest(f"--until {until} is before --since {since}")
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]
