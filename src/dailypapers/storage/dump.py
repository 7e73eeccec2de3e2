"""The portable dump: every table that holds what people made, as JSON-ready rows.

`dailypapers export` writes these rows as JSONL and `dailypapers import-dump` reads them back
(services/dump.py owns the file format); this module is the one place that knows which tables
travel, in which order, and how a column's value looks in JSON:

- timestamps as ISO 8601 in UTC (`2026-08-21T12:00:00+00:00`), days as `YYYY-MM-DD`,
  JSON columns verbatim, booleans and integers as such; so a dump reads the same whether it
  came from SQLite or PostgreSQL, and a SQLite -> PostgreSQL -> SQLite round trip writes the
  same bytes.
- Rows go out in primary-key order (string keys in byte order on both databases: PostgreSQL
  compares them `COLLATE "C"`), read in keyset pages of `page_size` rows, each page its own
  short read, so a dump of millions of rows streams in flat memory and no page outlives
  SQLite's read time limit. The pages are not one snapshot: stop writers while moving.
- Tables go in foreign-key order (papers before votes, comments by id so a reply follows
  its parent), so an import can insert each row as it comes.
- Secrets (password hashes, API token hashes, digest and 👍/👎 link tokens) travel only when
  asked.
  Without them a user arrives with an unusable password (`!`: argon2 rejects it, so the
  login fails cleanly) and signs in again after a password reset.
- Derived or passing state stays home: embeddings and computed keyphrases (rebuilt by
  `dailypapers index`), stored For-you models (refitted on the next page load), sessions,
  email tokens, rate events, jobs, ingest runs and locks, the keyword index (kept by triggers).

Import inserts with ON CONFLICT DO NOTHING, so a rerun, or a dump loaded twice, changes
nothing; a row whose key is already there is counted as existing and left as it is. Each row
is checked against its table's columns before it is written (unknown or missing columns,
wrong types, over-long strings, naive timestamps); a batch the database refuses (a vote for a
paper the dump lacks) is retried row by row in savepoints so only the bad row is skipped.
On PostgreSQL the id sequences are moved past the imported ids at the end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError

from dailypapers.errors import BadRequest
from dailypapers.storage.community_tables import (
    api_tokens,
    collection_items,
    collections,
    comments,
    users,
    votes,
)
from dailypapers.storage.database import Database
from dailypapers.storage.digest_tables import (
    digest_deliveries,
    digest_items,
    feedback_links,
    subscription_tokens,
    subscriptions,
)
from dailypapers.storage.ingest_tables import paper_versions
from dailypapers.storage.recommendation_tables import (
    author_follows,
    category_follows,
    paper_feedback,
)
from dailypapers.storage.tables import as_utc, daily_entries, papers

UNUSABLE_PASSWORD = "!"  # not an argon2 hash: verify() says no, a reset sets a real one


@dataclass(frozen=True)
class DumpTable:
    table: sa.Table
    secret: bool = False  # the whole table travels only with secrets
    secret_columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.table.name


# Foreign-key order: a row's parents come before it.
DUMP_TABLES: tuple[DumpTable, ...] = (
    DumpTable(papers),
    DumpTable(paper_versions),
    DumpTable(daily_entries),
    DumpTable(users, secret_columns=("password_hash",)),
    DumpTable(api_tokens, secret=True),
    DumpTable(votes),
    DumpTable(comments),
    DumpTable(collections),
    DumpTable(collection_items),
    DumpTable(subscriptions),
    DumpTable(subscription_tokens, secret=True),
    DumpTable(digest_deliveries),
    DumpTable(digest_items),
    DumpTable(feedback_links, secret=True),
    DumpTable(paper_feedback),
    DumpTable(author_follows),
    DumpTable(category_follows),
)
# The tables that stay home, each derived from the dumped ones or passing state (the module
# docstring says why). Every table is in exactly one of the two lists, and a test checks it,
# so a new table can't be left out of the dump by forgetting it.
STAYS_HOME = frozenset(
    {
        "embeddings",
        "paper_keyphrases",
        "user_models",
        "sessions",
        "email_tokens",
        "rate_events",
        "jobs",
        "ingest_runs",
        "ingest_locks",
        "data_version",
    }
)
_BY_NAME = {t.name: t for t in DUMP_TABLES}
# Columns a row may leave out when its secrets stayed home, and what they become.
_SECRET_DEFAULTS = {("users", "password_hash"): UNUSABLE_PASSWORD}


class BadDumpRow(BadRequest):
    """One dump record that cannot be stored as it is (the import counts and skips it)."""


def dump_table(name: str) -> DumpTable:
    found = _BY_NAME.get(name)
    if found is None:
        raise BadDumpRow(f"unknown table {name!r}")
    return found


def _json_value(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return as_utc(value).isoformat()
    if isinstance(column.type, sa.Date):
        return value.isoformat()
    return value


def check_row(name: str, row: object, *, with_secrets: bool = True) -> dict[str, Any]:
    """A dump row as the values to insert, or BadDumpRow saying what is wrong with it."""
    spec = dump_table(name)
    if not isinstance(row, dict):
        raise BadDumpRow(f"{name}: the row is not a JSON object")
    unknown = sorted(set(row) - set(spec.table.c.keys()))
    if unknown:
        raise BadDumpRow(f"{name}: unknown column(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for column in spec.table.columns:
        value = row.get(column.name)
        if value is None and (name, column.name) in _SECRET_DEFAULTS:
            value = _SECRET_DEFAULTS[(name, column.name)]
        if value is None:
            if column.name not in row and column.server_default is not None:
                continue  # left out: the database's default applies
            if not column.nullable:
                raise BadDumpRow(f"{name}.{column.name}: a value is required")
            values[column.name] = None
            continue
        values[column.name] = _checked_value(name, column, value)
    return values


def _checked_value(name: str, column: sa.Column, value: Any) -> Any:
    where = f"{name}.{column.name}"
    kind = column.type
    if isinstance(kind, sa.Boolean):
        if not isinstance(value, bool):
            raise BadDumpRow(f"{where}: expected true or false")
        return value
    if isinstance(kind, sa.Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadDumpRow(f"{where}: expected an integer")
        if not -(2**63) <= value < 2**63:
            raise BadDumpRow(f"{where}: integer out of range")
        return value
    if isinstance(kind, sa.DateTime):
        if not isinstance(value, str):
            raise BadDumpRow(f"{where}: expected an ISO 8601 timestamp")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise BadDumpRow(f"{where}: {value[:40]!r} is not an ISO 8601 timestamp") from None
        if parsed.tzinfo is None:
            raise BadDumpRow(f"{where}: the timestamp has no time zone")
        return parsed.astimezone(UTC)
    if isinstance(kind, sa.Date):
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _bad_day(where)
        except ValueError:
            return _bad_day(where)
    if isinstance(kind, sa.JSON):
        return value
    if isinstance(kind, sa.String):  # Text too
        if not isinstance(value, str):
            raise BadDumpRow(f"{where}: expected a string")
        if kind.length is not None and len(value) > kind.length:
            raise BadDumpRow(f"{where}: longer than {kind.length} characters")
        if "\x00" in value:
            raise BadDumpRow(f"{where}: contains a NUL character")
        return value
    raise BadDumpRow(f"{where}: this column cannot be imported")  # pragma: no cover


def _bad_day(where: str) -> date:
    raise BadDumpRow(f"{where}: expected a day as YYYY-MM-DD")


@dataclass
class InsertCounts:
    inserted: int = 0
    existing: int = 0
    refused: list[tuple[int, str]] | None = None  # (the caller's position, why)


class DumpStore:
    def __init__(self, db: Database, *, page_size: int = 1000) -> None:
        self.db = db
        self.page_size = page_size
        self._insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert

    def revision(self) -> str | None:
        return self.db.current_revision()

    def tables(self, *, with_secrets: bool) -> list[str]:
        return [t.name for t in DUMP_TABLES if with_secrets or not t.secret]

    def _key(self, table: sa.Table) -> list[sa.ColumnElement]:
        keys: list[sa.ColumnElement] = []
        for column in table.primary_key.columns:
            if self.db.dialect == "postgresql" and isinstance(column.type, sa.String):
                keys.append(column.collate("C"))
            else:
                keys.append(column)
        return keys

    def rows(self, name: str, *, with_secrets: bool) -> Iterator[dict[str, Any]]:
        """Every row of one table as JSON-ready values, in key order, a page at a time."""
        spec = dump_table(name)
        table = spec.table
        columns = [c for c in table.columns if with_secrets or c.name not in spec.secret_columns]
        key = self._key(table)
        key_names = [c.name for c in table.primary_key.columns]
        last: Sequence[Any] | None = None
        while True:
            query = sa.select(*columns).order_by(*key).limit(self.page_size)
            if last is not None:
                query = query.where(sa.tuple_(*key) > sa.tuple_(*last))
            with self.db.read() as conn:
                page = conn.execute(query).mappings().all()
            for row in page:
                yield {c.name: _json_value(c, row[c.name]) for c in columns}
            if len(page) < self.page_size:
                return
            last = [page[-1][k] for k in key_names]

    def insert(self, name: str, rows: Sequence[tuple[int, dict[str, Any]]]) -> InsertCounts:
        """Insert checked rows of one table (each with the caller's position), skipping keys
        already there; rows the database refuses are reported with their position."""
        table = dump_table(name).table
        counts = InsertCounts(refused=[])
        if not rows:
            return counts
        with self.db.write() as conn:
            try:
                with conn.begin_nested():
                    counts.inserted = self._insert_many(conn, table, [r for _, r in rows])
            except (IntegrityError, DataError):
                for position, row in rows:
                    try:
                        with conn.begin_nested():
                            counts.inserted += self._insert_many(conn, table, [row])
                    except (IntegrityError, DataError) as exc:
                        reason = str(exc.orig).splitlines()[0][:200]
                        counts.refused.append(
                            (position, f"{name}: the database refused it: {reason}")
                        )
        counts.existing = len(rows) - counts.inserted - len(counts.refused)
        return counts

    def _insert_many(self, conn: Connection, table: sa.Table, rows: list[dict]) -> int:
        inserted = 0
        # One statement per set of columns (a row may leave out a defaulted column).
        groups: dict[tuple[str, ...], list[dict]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        for group in groups.values():
            # RETURNING counts what went in on both drivers (psycopg's executemany rowcount
            # is -1); a row skipped by ON CONFLICT returns nothing.
            key = list(table.primary_key.columns)
            stmt = self._insert(table).on_conflict_do_nothing().returning(*key)
            inserted += len(conn.execute(stmt, group).all())
        return inserted

    def finish(self) -> None:
        """After an import: move PostgreSQL's id sequences past the ids that came in."""
        if self.db.dialect != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest rowid by itself
        with self.db.write() as conn:
            for spec in DUMP_TABLES:
                id_column = spec.table.c.get("id")
                if id_column is None or not id_column.autoincrement:
                    continue
                name = spec.name
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
