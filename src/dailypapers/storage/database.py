"""Connections, transactions and migrations, for SQLite and PostgreSQL alike.

SQLite concurrency is designed as datasette does it: reads use a pool of connections with a
time limit (`sql_time_limit_ms` of CPU time, enforced by a progress handler); all writes of a
process go through one writer connection, serialised by a lock, each in `BEGIN IMMEDIATE`, so
writers from other processes wait on the busy timeout instead of failing half-way. WAL mode lets
reads go on during a write. On PostgreSQL both sides share one pool: the server handles concurrency.

Faults: a driver error that means "the database isn't there right now" (PostgreSQL stopped or
restarting, a dropped connection, a SQLite lock held past the busy timeout) leaves `read()` and
`write()` as `DatabaseUnavailable`, which the web answers with 503 + `Retry-After` and batch
writers retry (services/db_retry.py); `ping()` says why for `/readyz`. The pool pre-pings, so
connections that died with a restarted server are replaced without anyone noticing.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from dailypapers.errors import ConfigurationError, DatabaseUnavailable, QueryTimeout

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Database:
    """One database: a read engine, a write engine and the dialect's rules."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 5000,
        time_limit_ms: int = 0,
        pool_size: int = 5,
        wal_limit_bytes: int = 64 * 2**20,
        connect_timeout_s: int = 5,
        retry_after_s: int = 5,
    ) -> None:
        self.url = _normalise_url(url)
        self.wal_limit_bytes = wal_limit_bytes
        self.retry_after_s = retry_after_s
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigurationError(f"unsupported database {self.dialect!r}")
        self._write_lock = threading.Lock()
        if self.dialect == "sqlite":
            path = parsed.database
            if not path or path == ":memory:":
                raise ConfigurationError("SQLite needs a file path (sqlite:///path/to/file.db)")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.read_engine = self._sqlite_engine(busy_timeout_ms, time_limit_ms, pool_size, False)
            self.write_engine = self._sqlite_engine(busy_timeout_ms, 0, 1, True)
        else:
            engine = sa.create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size * 2,
                pool_pre_ping=True,
                connect_args={"connect_timeout": connect_timeout_s},
            )
            self.read_engine = self.write_engine = engine

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _sqlite_engine(
        self, busy_timeout_ms: int, time_limit_ms: int, pool_size: int, writer: bool
    ) -> Engine:
        engine = sa.create_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=0 if writer else pool_size,
            connect_args={
                "check_same_thread": False,
                "timeout": busy_timeout_ms / 1000,
                "factory": _TimedConnection,
            },
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: _TimedConnection, _record: object) -> None:
            # We issue BEGIN ourselves (below), so the driver must not.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA journal_size_limit={int(self.wal_limit_bytes)}")
            cursor.close()
            if time_limit_ms:
                dbapi_conn.arm_time_limit(time_limit_ms)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        if time_limit_ms:

            @event.listens_for(engine, "before_cursor_execute")
            def _restart_clock(conn, *_args) -> None:
                conn.connection.dbapi_connection.restart_clock()

        return engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work: one consistent snapshot."""
        with self._translate_faults(), self.read_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; all-or-nothing. Serialised per process on SQLite."""
        with self._translate_faults():
            if self.is_sqlite:
                with self._write_lock, self.write_engine.begin() as conn:
                    yield conn
            else:
                with self.write_engine.begin() as conn:
                    yield conn

    @contextmanager
    def _translate_faults(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            if self.is_sqlite and "interrupted" in str(exc.orig):
                raise QueryTimeout(
                    "the query took longer than sql_time_limit_ms and was stopped"
                ) from None
            reason = self._unavailable_reason(exc)
            if reason is None:
                raise
            raise DatabaseUnavailable(
                f"the database is unavailable: {reason}", retry_after_s=self.retry_after_s
            ) from exc

    def _unavailable_reason(self, exc: DBAPIError) -> str | None:
        """Why `exc` means the database is away (not that the statement was wrong), or None."""
        text = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        if exc.connection_invalidated or isinstance(exc, InterfaceError):
            return text or "the connection was lost"
        if not isinstance(exc, OperationalError):
            return None
        if self.is_sqlite:
            # Other OperationalErrors (no such table, syntax) are bugs, not outages.
            faults = ("locked", "busy", "unable to open", "disk i/o", "readonly")
            return text if any(f in text.lower() for f in faults) else None
        # On PostgreSQL an OperationalError is about the server or the connection: refused,
        # shut down by an administrator, starting up, terminated.
        return text or "the server is not answering"

    def ping(self) -> str | None:
        """None when the database answers a query now, else why it doesn't (for /readyz)."""
        try:
            with self.read() as conn:
                conn.execute(sa.text("SELECT 1"))
        except (DatabaseUnavailable, QueryTimeout) as exc:
            return exc.message
        return None

    def pool_stats(self) -> dict[str, dict[str, int]]:
        """Connections per engine: configured size, checked out now, overflow in use."""
        engines = {"read": self.read_engine, "write": self.write_engine}
        if self.write_engine is self.read_engine:
            engines = {"shared": self.read_engine}
        stats = {}
        for name, engine in engines.items():
            pool = engine.pool
            stats[name] = {
                "size": int(getattr(pool, "size", lambda: 0)()),
                "checked_out": int(getattr(pool, "checkedout", lambda: 0)()),
                "overflow": max(0, int(getattr(pool, "overflow", lambda: 0)())),
            }
        return stats

    def checkpoint(self) -> None:
        """After bulk writes on SQLite: copy the WAL into the database and truncate it to
        zero bytes (PostgreSQL manages its own log: nothing to do). Readers still using old
        pages make it a partial checkpoint; journal_size_limit caps the file even then."""
        if not self.is_sqlite:
            return
        with self._write_lock, self.write_engine.connect() as conn:
            # On the driver's connection: outside any transaction, which would block it.
            conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (Alembic): by default the newest. A database
        already at the newest answers from its version row, without loading every migration
        script (what Alembic's no-op upgrade costs: 15-100 ms each process start)."""
        if revision == "head" and self.current_revision() == head_revision():
            return
        with self._write_lock, self.write_engine.connect() as conn:
            cfg = alembic_config(self.url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()

    def current_revision(self) -> str | None:
        with self.read() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table("alembic_version"):
                return None
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            return ",".join(sorted(versions)) or None

    def dispose(self) -> None:
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()


class _TimedConnection(sqlite3.Connection):
    """A sqlite3 connection that knows the CPU time its running statement must end by.

    The clock is the CPU time of the thread running the statement (SQLite runs it in the
    caller's thread), not the wall clock: on a busy machine (4 web processes on 2 cores, each
    serving several requests, which also wait for the GIL at every progress check) a 100 ms
    query took seconds of wall time and was cut off, and its search answered 503
    (bench/load_deployed.py, varied searches). A runaway query still burns CPU and is stopped.
    """

    deadline: float = float("inf")

    def arm_time_limit(self, time_limit_ms: int) -> None:
        self.set_progress_handler(self._past_deadline, 10_000)
        self._limit_s = time_limit_ms / 1000

    def restart_clock(self) -> None:
        self.deadline = time.thread_time() + self._limit_s

    def _past_deadline(self) -> int:
        return 1 if time.thread_time() > self.deadline else 0


@functools.cache
def head_revision() -> str:
    """The newest migration's revision, read from the scripts once per process."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg
