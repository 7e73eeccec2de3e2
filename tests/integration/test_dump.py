"""`dailypapers export` / `import-dump`: a lossless, idempotent move between databases.

The round trip runs the demo database, with users, votes, a reply, a collection and a
digest subscription added, from SQLite to PostgreSQL and back, and compares the dumps byte for
byte; the import tests check that a rerun adds nothing and that bad records are skipped with
their line numbers while the good ones land.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.domain.digests import DigestPrefs
from dailypapers.errors import BadRequest, DailyPapersError
from dailypapers.services.bootstrap import Services
from dailypapers.services.demo import demo_data_path
from dailypapers.storage.dump import DUMP_TABLES, STAYS_HOME
from dailypapers.storage.schema import metadata
from tests.conftest import FIXED_NOW, make_services
from tests.databases import demo_at, sqlite_copy


def _demo_copy(path: Path) -> str:
    """A SQLite file holding the demo papers (a copy of the session's demo template)."""
    return sqlite_copy(path, demo_at(FIXED_NOW))


def _site(services: Services) -> None:
    """The demo papers (services on a `_demo_copy`) plus a little of everything people make."""
    assert services.papers.count() > 1000
    community = services.community
    ada = community.accounts.create_user("ada", "ada@example.org", "correct horse 1")
    bob = community.accounts.create_user("bob", "Bob@Example.org", "correct horse 2", admin=True)
    with gzip.open(demo_data_path(), "rt") as rows:
        ids = [json.loads(next(rows))["arxiv_id"] for _ in range(3)]
    for user in (ada, bob):
        community.votes.set_vote(user, ids[0], True)
    community.votes.set_vote(bob, ids[1], True)
    first = community.comments.add(ada, ids[0], "Does the $\\alpha$ sweep hold at 7B? ünïcödé")
    community.comments.add(bob, ids[0], "It does.", parent_id=first.id)
    shelf = community.collections.create(ada, "Reading group", "week 34", public=True)
    community.collections.add_paper(ada, shelf.id, ids[2])
    services.subscriptions.subscribe("reader@example.org", DigestPrefs(categories=("cs.CL",)))
    recommendations = services.recommendations
    recommendations.set_feedback(ada, ids[1], -1)
    recommendations.follow(ada, "Yann LeCun", True)
    recommendations.follow_category(bob, "cs.CL", True)


def _export(services: Services, path: Path, *, with_secrets: bool = True) -> bytes:
    services.dump.export_to(path, with_secrets=with_secrets)
    return path.read_bytes()


@pytest.mark.postgres
def test_demo_site_round_trips_sqlite_postgresql_sqlite_identically(
    tmp_path: Path, pg_url: str
) -> None:
    first = make_services(tmp_path / "a", _demo_copy(tmp_path / "a.db"))
    second = make_services(tmp_path / "b", pg_url)
    third = make_services(tmp_path / "c", sqlite_copy(tmp_path / "c.db"))
    try:
        _site(first)
        original = _export(first, tmp_path / "a.jsonl")
        assert second.dump.import_file(tmp_path / "a.jsonl").skipped == 0
        via_postgresql = _export(second, tmp_path / "b.jsonl")
        report = third.dump.import_file(tmp_path / "b.jsonl")
        back = _export(third, tmp_path / "c.jsonl")
    finally:
        for services in (first, second, third):
            services.close()
    assert report.skipped == 0 and report.complete
    lines = original.decode().splitlines()
    tables = {json.loads(line).get("table") for line in lines[1:-1]}
    assert {"papers", "daily_entries", "users", "votes", "comments", "collections"} <= tables
    assert {"collection_items", "subscriptions", "subscription_tokens"} <= tables
    assert {"paper_feedback", "author_follows", "category_follows"} <= tables
    assert via_postgresql == original
    assert back == original


def test_every_table_is_dumped_or_named_as_staying_home() -> None:
    # A reader's 👎s and follows were once left out of the dump because nobody added their
    # new tables to it; now a table must be in exactly one of the two lists.
    tables = {table.name for table in metadata.sorted_tables}
    dumped = {spec.name for spec in DUMP_TABLES}
    assert dumped.isdisjoint(STAYS_HOME)
    assert tables == dumped | STAYS_HOME


def test_import_twice_changes_nothing_and_ids_continue(tmp_path: Path, database_url: str) -> None:
    source = make_services(tmp_path / "s", _demo_copy(tmp_path / "s.db"))
    target = make_services(tmp_path / "t", database_url)
    try:
        _site(source)
        dump = tmp_path / "site.jsonl.gz"
        _export(source, dump, with_secrets=False)
        first = target.dump.import_file(dump)
        again = target.dump.import_file(dump)
        assert first.inserted["votes"] == 3 and first.existing["votes"] == 0
        assert sum(again.inserted.values()) == 0
        assert again.existing == first.inserted
        # New rows get fresh ids after imported ones (PostgreSQL's sequences moved on).
        carol = target.community.accounts.create_user("carol", "carol@example.org", "pw pw pw 3")
        assert carol.id == 3
        # Without secrets the imported users cannot log in until they reset their password.
        with pytest.raises(DailyPapersError):
            target.community.auth.login("ada", "correct horse 1", client="test")
    finally:
        source.close()
        target.close()
    with gzip.open(dump, "rt") as lines:
        assert "password_hash" not in lines.read()


def test_bad_records_are_skipped_with_their_line_and_the_rest_lands(
    tmp_path: Path, database_url: str
) -> None:
    services = make_services(tmp_path, database_url)
    paper = {
        "arxiv_id": "2408.00001",
        "version": 1,
        "title": "A title",
        "abstract": "An abstract.",
        "authors": ["A. Author"],
        "categories": ["cs.CL"],
        "created_at": "2026-08-20T10:00:00+00:00",
        "modified_at": "2026-08-20T10:00:00+00:00",
    }
    user = {
        "id": 7,
        "username": "ada",
        "username_key": "ada",
        "email": "ada@example.org",
        "email_key": "ada@example.org",
        "created_at": "2026-08-20T10:00:00+00:00",
    }
    lines = [
        {"dailypapers_dump": 1, "schema": "0008", "tables": [], "with_secrets": False},
        {"table": "papers", "row": paper},
        {"table": "papers", "row": {**paper, "arxiv_id": "2408.00002", "version": "one"}},
        {"table": "papers", "row": {**paper, "arxiv_id": "2408.00003", "created_at": "2026"}},
        {"table": "robots", "row": {}},
        {"table": "users", "row": user},
        {"table": "users", "row": {**user, "id": 8, "username": "x" * 40}},
        {
            "table": "votes",
            "row": {
                "user_id": 7,
                "arxiv_id": "2408.00001",
                "created_at": "2026-08-20T11:00:00+00:00",
            },
        },
        {
            "table": "votes",
            "row": {
                "user_id": 7,
                "arxiv_id": "2408.09999",
                "created_at": "2026-08-20T11:00:00+00:00",
            },
        },
        {"end": {"papers": 3, "robots": 1, "users": 2, "votes": 2}},
    ]
    path = tmp_path / "bad.jsonl"
    text = "\n".join(json.dumps(line) for line in lines)
    path.write_text(text + "\n{not json\n")
    try:
        report = services.dump.import_file(path)
        assert report.inserted == {"papers": 1, "users": 1, "votes": 1}
        assert report.skipped == 6
        assert report.reasons == {"invalid": 4, "refused": 1, "unreadable": 1}
        where = [message.split(": ")[0] for message in report.errors]
        assert where == [
            "bad.jsonl:3",
            "bad.jsonl:4",
            "bad.jsonl:5",
            "bad.jsonl:7",
            "bad.jsonl:11",
            "bad.jsonl:9",
        ]
        assert "version" in report.errors[0] and "username" in report.errors[3]
        assert services.papers.get("2408.00001") is not None
    finally:
        services.close()


def test_a_file_that_is_not_a_dump_is_refused_whole(tmp_path: Path) -> None:
    services = make_services(tmp_path, sqlite_copy(tmp_path / "x.db"))
    path = tmp_path / "papers.jsonl"
    path.write_text('{"table": "papers", "row": {}}\n')
    try:
        with pytest.raises(BadRequest, match="not a dailypapers dump"):
            services.dump.import_file(path)
    finally:
        services.close()


def test_cli_export_and_import_dump(tmp_path: Path) -> None:
    runner = CliRunner()
    source = _demo_copy(tmp_path / "s.db")
    dump = tmp_path / "demo.jsonl"
    out = runner.invoke(cli, ["--database-url", source, "export", str(dump)])
    assert out.exit_code == 0, out.output
    target = ["--database-url", sqlite_copy(tmp_path / "t.db"), "--data-dir", str(tmp_path)]
    out = runner.invoke(cli, [*target, "import-dump", str(dump)])
    assert out.exit_code == 0, out.output
    assert "0 already there" in out.output
    again = runner.invoke(cli, [*target, "import-dump", str(dump)])
    assert again.exit_code == 0 and " 0 inserted" in again.output
