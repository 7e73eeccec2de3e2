"""Computed keyphrases fill the keywords field of keyword search (migration 0015).

A paper without HF's `ai_keywords` is found by its computed keyphrases, on SQLite (the view
`papers_fts_text` and the triggers on `paper_keyphrases`) and PostgreSQL (the function
`paper_keyword_text` and the trigger that touches the paper), as keyphrases are written,
replaced and deleted, and when they are written during a bulk import (triggers deferred).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dailypapers.domain.papers import Paper, SourceRecord
from dailypapers.services.bootstrap import Services
from dailypapers.storage.bulk_index import KeywordIndexMaintenance
from tests.conftest import SQLITE_ONLY

pytest_plugins = ("tests.integration.search_support",)

NOW = datetime(2026, 8, 21, tzinfo=UTC)
BARE = "2608.10001"  # no HF keywords: its keyphrases are its keywords field
TAGGED = "2608.10002"  # HF keywords: they stay its keywords field


@pytest.fixture
def keyphrase_services(search_services: Services) -> Services:
    papers = [
        Paper(
            arxiv_id=BARE,
            title="Guessing ahead with small kookaburra models",
            abstract="A small model proposes tokens that a large one checks in one pass.",
            published_at=NOW,
        ),
        Paper(
            arxiv_id=TAGGED,
            title="Another look at draft checking",
            abstract="Large models verify drafts.",
            ai_keywords=["wallabyscope"],
            published_at=NOW,
        ),
    ]
    search_services.papers.upsert([SourceRecord(p) for p in papers], now=NOW)
    return search_services


def found(services: Services, query: str) -> list[str]:
    page = services.search.search(query, mode="keyword", limit=100)
    return [hit.paper.arxiv_id for hit in page.hits]


def save(services: Services, arxiv_id: str, phrases: list[str]) -> None:
    services.keyphrases.store.save("m", [(arxiv_id, "h", phrases)], now=NOW)


def indexed_rows(blob: bytes) -> int:
    """The row count FTS5 keeps for bm25 (the first varint of its averages record)."""
    value = 0
    for byte in blob[:9]:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    return value


def assert_index_sound(services: Services) -> None:
    """SQLite: FTS5's own check, and its row count still the papers' (a row taken out twice
    is counted out twice, which skews every bm25 score)."""
    if services.db.is_sqlite:
        with services.db.write() as conn:
            conn.exec_driver_sql(
                "INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)"
            )
            averages = conn.exec_driver_sql(
                "SELECT block FROM papers_fts_data WHERE id = 1"
            ).scalar_one()
            papers = conn.exec_driver_sql("SELECT count(*) FROM papers").scalar_one()
        assert indexed_rows(averages) == papers


def test_a_keyphrase_written_makes_its_paper_findable_by_it(keyphrase_services: Services) -> None:
    s = keyphrase_services
    assert found(s, "numbatformer") == []
    save(s, BARE, ["numbatformer", "token verification"])
    assert found(s, "numbatformer") == [BARE]
    assert BARE in found(s, "verification")  # a word only its keyphrases hold
    assert found(s, "kookaburra") == [BARE]  # its title still indexed
    assert_index_sound(s)


def test_replaced_and_deleted_keyphrases_leave_the_index(keyphrase_services: Services) -> None:
    s = keyphrase_services
    save(s, BARE, ["numbatformer"])
    save(s, BARE, ["quollnet routing"])  # the store's upsert: an UPDATE of the row
    assert found(s, "numbatformer") == []
    assert found(s, "quollnet") == [BARE]
    assert found(s, "kookaburra") == [BARE]
    assert_index_sound(s)
    with s.db.write() as conn:
        conn.exec_driver_sql(f"DELETE FROM paper_keyphrases WHERE arxiv_id = '{BARE}'")
    assert found(s, "quollnet") == []
    assert found(s, "kookaburra") == [BARE]
    assert_index_sound(s)


def test_hf_keywords_keep_the_field_when_a_paper_has_both(keyphrase_services: Services) -> None:
    s = keyphrase_services
    save(s, TAGGED, ["bilbyspace"])
    assert found(s, "wallabyscope") == [TAGGED]
    assert found(s, "bilbyspace") == []
    assert_index_sound(s)


def test_a_deleted_paper_takes_its_keyphrases_out(keyphrase_services: Services) -> None:
    s = keyphrase_services
    save(s, BARE, ["numbatformer"])
    with s.db.write() as conn:
        conn.exec_driver_sql(f"DELETE FROM papers WHERE arxiv_id = '{BARE}'")
    assert found(s, "numbatformer") == []
    assert_index_sound(s)


def test_keyphrases_written_during_a_bulk_import_are_indexed(
    keyphrase_services: Services,
) -> None:
    s = keyphrase_services
    maintenance = KeywordIndexMaintenance(s.db)
    maintenance.defer()
    save(s, BARE, ["numbatformer"])
    save(s, BARE, ["quollnet"])
    maintenance.rebuild()
    assert maintenance.is_complete()
    assert found(s, "quollnet") == [BARE]
    assert found(s, "numbatformer") == []
    save(s, BARE, ["dunnartgraph"])  # and in step again after it
    assert found(s, "dunnartgraph") == [BARE]
    assert found(s, "quollnet") == []
    assert_index_sound(s)


@SQLITE_ONLY  # PostgreSQL defers only its GIN index; its row triggers stay
def test_a_bulk_import_killed_while_deferred_is_repaired_with_the_keyphrase_triggers(
    keyphrase_services: Services,
) -> None:
    """SQLite: the keyphrase triggers belong to the deferred set, so `ensure()` (run by
    every import, `db upgrade` and `serve`) recreates them after a killed bulk import."""
    s = keyphrase_services
    assert s.db.is_sqlite
    with s.db.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER paper_keyphrases_fts_after_insert")
    maintenance = KeywordIndexMaintenance(s.db)
    assert maintenance.ensure()
    save(s, BARE, ["numbatformer"])
    assert found(s, "numbatformer") == [BARE]
    assert_index_sound(s)
