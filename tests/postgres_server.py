"""A PostgreSQL server to create databases on: DAILYPAPERS_TEST_PG_URL when set, else a
private pgserver (PostgreSQL 16 + pgvector from PyPI) in a temp dir, stopped and removed on
exit, and fresh, empty databases on it (`fresh_database`). The tests' PostgreSQL fixtures
use it, and copy their databases from templates on it (tests/databases.py).

The private server runs without durability (PostgreSQL's "non-durable settings": no fsync,
no full-page writes, no waiting for the WAL flush at commit). Its data lives in a temp dir
removed at exit, so a machine crash loses nothing a test needs, and what other sessions see
of a commit is unchanged; a `DROP DATABASE` then costs ~25 ms instead of up to 1.4 s (its
checkpoint). A server named by DAILYPAPERS_TEST_PG_URL is left as it is configured."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa


@contextmanager
def postgres_admin_url(prefix: str = "dailypapers-pg-") -> Iterator[str]:
    url = os.environ.get("DAILYPAPERS_TEST_PG_URL")
    if url:
        yield url
        return
    import pgserver

    # Not under pytest's tmp_path: pytest prunes old base temp dirs, and a concurrent run
    # would delete the live server's data directory.
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        _without_durability(server.get_uri())
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def _without_durability(admin_url: str) -> None:
    """Turn off what only protects data from a crash of the machine (reloaded at once)."""
    admin = sa.create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for setting in ("fsync", "full_page_writes", "synchronous_commit"):
            conn.exec_driver_sql(f"ALTER SYSTEM SET {setting} = off")
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    admin.dispose()


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url` (psycopg driver)."""
    parsed = sa.engine.make_url(_psycopg(admin_url))
    return parsed.set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(admin_url: str, prefix: str = "t_") -> Iterator[str]:
    """A new, empty database (pgvector available) on that server; dropped afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
