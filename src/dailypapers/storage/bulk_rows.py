"""Writing many rows in one round trip: COPY on PostgreSQL, the driver's executemany on SQLite.

An import batch of a thousand new papers spent more time in SQLAlchemy's per-row parameter
handling (and, on PostgreSQL, in psycopg rewriting one enormous multi-VALUES statement per
batch) than in the database: 998 papers/s on PostgreSQL, the server mostly idle. Here each
value still goes through its column type's own bind processor (so JSON and timestamps are
stored exactly as SQLAlchemy stores them, and read back the same), but the rows then go
straight to the driver: one `COPY ... FROM STDIN` stream on PostgreSQL, one `executemany` of
a single prepared statement on SQLite.

`upsert_rows` does the same for an `INSERT ... ON CONFLICT DO UPDATE ... WHERE` (rows first
COPYed into a temporary table on PostgreSQL, then merged by one statement) and returns how
many rows it inserted or updated.

Errors keep their meaning: a driver error is raised as SQLAlchemy's exception of the same
kind (`DBAPIError.instance`), so a refused value is still a `DataError` and a lost server an
`OperationalError` that `Database` turns into `DatabaseUnavailable`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

Processor = Callable[[Any], Any] | None


def _processors(conn: Connection, table: sa.Table, columns: Sequence[str]) -> list[Processor]:
    dialect = conn.dialect
    return [table.c[name].type._cached_bind_processor(dialect) for name in columns]


def _tuples(
    rows: Sequence[dict], columns: Sequence[str], processors: list[Processor]
) -> list[tuple]:
    plain = all(p is None for p in processors)
    if plain:
        return [tuple(row.get(c) for c in columns) for row in rows]
    pairs = list(zip(columns, processors, strict=True))
    return [tuple(p(row.get(c)) if p is not None else row.get(c) for c, p in pairs) for row in rows]


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[dict]) -> None:
    """Insert `rows` (dicts keyed by column name, all with the same keys) into `table`."""
    if not rows:
        return
    columns = list(rows[0])
    values = _tuples(rows, columns, _processors(conn, table, columns))
    names = ", ".join(_quote(conn, c) for c in columns)
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {_quote(conn, table.name)} ({names}) FROM STDIN", values)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(
        f"INSERT INTO {_quote(conn, table.name)} ({names}) VALUES ({marks})", values
    )


def upsert_rows(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    where: str,
) -> int:
    """`INSERT ... ON CONFLICT (conflict) DO UPDATE SET update = excluded.update WHERE where`
    for every row; returns how many rows were inserted or updated. `where` is SQL over the
    stored row (the table's name) and the incoming one (`excluded.`)."""
    if not rows:
        return 0
    columns = list(rows[0])
    values = _tuples(rows, columns, _processors(conn, table, columns))
    names = ", ".join(_quote(conn, c) for c in columns)
    target = _quote(conn, table.name)
    sets = ", ".join(f"{_quote(conn, c)} = excluded.{_quote(conn, c)}" for c in update)
    keys = ", ".join(_quote(conn, c) for c in conflict)
    tail = f"ON CONFLICT ({keys}) DO UPDATE SET {sets} WHERE {where}"
    if conn.dialect.name == "postgresql":
        staging = f"incoming_{table.name}"  # the columns' types only: no defaults, no keys
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {target} WITH NO DATA"
        )
        _copy(conn, f"COPY {staging} ({names}) FROM STDIN", values)
        result = conn.exec_driver_sql(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} {tail}"
        )
        conn.exec_driver_sql(f"DROP TABLE {staging}")  # the batch's transaction may go on
        return result.rowcount
    marks = ", ".join("?" for _ in columns)
    result = conn.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks}) {tail}", values)
    return result.rowcount


def _copy(conn: Connection, statement: str, values: list[tuple]) -> None:
    driver = conn.connection.dbapi_connection
    dbapi = conn.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except dbapi.Error as exc:  # the driver's own error: give it SQLAlchemy's meaning
        raise sa.exc.DBAPIError.instance(
            statement,
            None,
            exc,
            dbapi.Error,
            connection_invalidated=conn.dialect.is_disconnect(exc, driver, None),
            dialect=conn.dialect,
        ) from None


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)
