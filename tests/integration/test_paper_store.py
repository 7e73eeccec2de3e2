"""PaperStore on real SQLite and PostgreSQL: merging upserts, entries, feeds, atomicity."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from dailypapers.domain.papers import DailyEntry, Paper, SourceRecord
from dailypapers.services.bootstrap import Services
from dailypapers.storage.tables import daily_entries, papers

NOW = datetime(2026, 8, 21, 12, 0, tzinfo=UTC)


def record(
    arxiv_id: str,
    day: date | None = None,
    *,
    upvotes: int | None = None,
    source: str = "hf",
    submitted_by: str | None = None,
    **fields,
) -> SourceRecord:
    paper = Paper(
        arxiv_id=arxiv_id,
        title=fields.pop("title", f"Paper {arxiv_id}"),
        abstract=fields.pop("abstract", "An abstract with $\\alpha$ kept."),
        authors=fields.pop("authors", ["Ada Lovelace"]),
        external_upvotes=upvotes,
        published_at=fields.pop("published_at", datetime(2026, 8, 1, tzinfo=UTC)),
        **fields,
    )
    entries = [DailyEntry(arxiv_id, day, source, submitted_by=submitted_by)] if day else []
    return SourceRecord(paper, entries)


def test_upserting_the_same_batch_twice_changes_nothing(services: Services) -> None:
    batch = [
        record("2608.00001", date(2026, 8, 20), upvotes=3),
        record("2608.00002", date(2026, 8, 20), upvotes=5),
    ]
    first = services.papers.upsert(batch, now=NOW)
    second = services.papers.upsert(batch, now=NOW)
    assert (first.inserted, first.updated, first.entries_added) == (2, 0, 2)
    assert (second.inserted, second.updated, second.unchanged, second.entries_added) == (0, 0, 2, 0)
    assert services.papers.count() == 2


def test_a_later_record_without_a_field_keeps_the_stored_value(services: Services) -> None:
    services.papers.upsert(
        [record("2608.00003", github_repo="https://github.com/a/b", github_stars=10)], now=NOW
    )
    counts = services.papers.upsert([record("2608.00003", upvotes=7)], now=NOW)
    stored = services.papers.get("2608.00003")
    assert counts.updated == 1
    assert stored.github_repo == "https://github.com/a/b"
    assert stored.github_stars == 10
    assert stored.external_upvotes == 7


def test_an_older_version_cannot_roll_back_title(services: Services) -> None:
    services.papers.upsert([record("2608.00004", title="New title", version=3)], now=NOW)
    services.papers.upsert([record("2608.00004", title="Old title", version=1)], now=NOW)
    stored = services.papers.get("2608.00004")
    assert (stored.title, stored.version) == ("New title", 3)


def test_text_round_trips_exactly(services: Services) -> None:
    title = "Ünïcode — $\\mathcal{O}(n^2)$ <script>alert(1)</script> ' OR 1=1; --"
    services.papers.upsert([record("2608.00005", title=title, authors=["Zoë O'Brien"])], now=NOW)
    stored = services.papers.get("2608.00005")
    assert stored.title == title
    assert stored.authors == ["Zoë O'Brien"]
    assert stored.published_at == datetime(2026, 8, 1, tzinfo=UTC)


def test_a_paper_can_be_featured_on_several_days_but_once_per_day(services: Services) -> None:
    services.papers.upsert([record("2608.00006", date(2026, 8, 19))], now=NOW)
    counts = services.papers.upsert(
        [record("2608.00006", date(2026, 8, 19)), record("2608.00006", date(2026, 8, 20))],
        now=NOW,
    )
    assert counts.entries_added == 1
    assert [e.day for e in services.papers.entries_for("2608.00006")] == [
        date(2026, 8, 19),
        date(2026, 8, 20),
    ]


def test_a_failing_batch_writes_nothing(services: Services) -> None:
    services.papers.upsert([record("2608.00007", date(2026, 8, 20))], now=NOW)
    bad = record("2608.00008", date(2026, 8, 20))
    bad.paper.title = None  # violates NOT NULL inside the same transaction as a good row
    with pytest.raises(sa.exc.IntegrityError):
        services.papers.upsert([record("2608.00009", date(2026, 8, 20)), bad], now=NOW)
    with services.db.read() as conn:
        ids = sorted(conn.execute(sa.select(papers.c.arxiv_id)).scalars())
        entry_count = conn.execute(sa.select(sa.func.count()).select_from(daily_entries)).scalar()
    assert ids == ["2608.00007"]
    assert entry_count == 1


def test_day_feed_orders_by_total_upvotes_then_newest(services: Services) -> None:
    day = date(2026, 8, 20)
    services.papers.upsert(
        [
            record("2608.00010", day, upvotes=5, published_at=datetime(2026, 8, 18, tzinfo=UTC)),
            record("2608.00011", day, upvotes=9),
            record("2608.00012", day, upvotes=5, published_at=datetime(2026, 8, 19, tzinfo=UTC)),
            record("2608.00013", date(2026, 8, 21), upvotes=99),
        ],
        now=NOW,
    )
    items, total = services.papers.listing(day, day, order="upvotes", limit=10, offset=0)
    assert total == 3
    assert [i.paper.arxiv_id for i in items] == ["2608.00011", "2608.00012", "2608.00010"]
    page2, _ = services.papers.listing(day, day, order="upvotes", limit=2, offset=2)
    assert [i.paper.arxiv_id for i in page2] == ["2608.00010"]


def test_week_feed_lists_a_paper_featured_twice_once(services: Services) -> None:
    services.papers.upsert(
        [
            record("2608.00020", date(2026, 8, 17), submitted_by="first"),
            record("2608.00020", date(2026, 8, 19), submitted_by="second"),
            record("2608.00021", date(2026, 8, 18)),
        ],
        now=NOW,
    )
    items, total = services.papers.listing(
        date(2026, 8, 17), date(2026, 8, 23), order="upvotes", limit=10, offset=0
    )
    assert total == 2
    twice = next(i for i in items if i.paper.arxiv_id == "2608.00020")
    assert (twice.day, twice.submitted_by) == (date(2026, 8, 17), "first")


def test_submitter_filter_and_neighbour_days_skip_gaps(services: Services) -> None:
    services.papers.upsert(
        [
            record("2608.00030", date(2026, 8, 10), submitted_by="akhaliq"),
            record("2608.00031", date(2026, 8, 14), submitted_by="someone"),
            record("2608.00032", date(2026, 8, 20), submitted_by="akhaliq"),
        ],
        now=NOW,
    )
    assert services.papers.neighbour_days(date(2026, 8, 14)) == (
        date(2026, 8, 10),
        date(2026, 8, 20),
    )
    assert services.papers.neighbour_days(date(2026, 8, 10)) == (None, date(2026, 8, 14))
    assert services.papers.latest_day() == date(2026, 8, 20)
    items, total = services.papers.listing(
        date(2026, 8, 1),
        date(2026, 8, 31),
        order="upvotes",
        limit=10,
        offset=0,
        submitter="akhaliq",
    )
    assert total == 2
    assert {i.paper.arxiv_id for i in items} == {"2608.00030", "2608.00032"}


def test_hidden_papers_leave_feeds_and_paper_lookups(services: Services) -> None:
    services.papers.upsert(
        [record("2608.00040", date(2026, 8, 20)), record("2608.00041", date(2026, 8, 20))], now=NOW
    )
    assert services.papers.set_hidden("2608.00040", True)
    assert not services.papers.set_hidden("2608.99999", True)
    _, total = services.papers.listing(
        date(2026, 8, 20), date(2026, 8, 20), order="upvotes", limit=10, offset=0
    )
    assert total == 1
    assert services.papers.get("2608.00040") is None
    assert services.papers.get("2608.00040", include_hidden=True) is not None
    services.papers.set_hidden("2608.00040", False)
    _, total = services.papers.listing(
        date(2026, 8, 20), date(2026, 8, 20), order="upvotes", limit=10, offset=0
    )
    assert total == 2


def test_new_upvote_counts_from_a_reimport_reorder_the_day(services: Services) -> None:
    day = date(2026, 8, 20)
    services.papers.upsert(
        [record("2608.00060", day, upvotes=10), record("2608.00061", day, upvotes=3)], now=NOW
    )
    services.papers.upsert([record("2608.00061", day, upvotes=30)], now=NOW)
    items, _ = services.papers.listing(day, day, order="upvotes", limit=10, offset=0)
    assert [(i.paper.arxiv_id, i.paper.upvotes) for i in items] == [
        ("2608.00061", 30),
        ("2608.00060", 10),
    ]


def test_trending_prefers_fresh_votes(services: Services) -> None:
    services.papers.upsert(
        [
            record("2608.00050", date(2026, 8, 18), upvotes=50),
            record("2608.00051", date(2026, 8, 21), upvotes=20),
        ],
        now=NOW,
    )
    view = services.listings.trending(limit=10)
    assert [i.paper.arxiv_id for i in view.page.items] == ["2608.00051", "2608.00050"]
