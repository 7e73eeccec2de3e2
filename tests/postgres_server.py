"""A PostgreSQL server to create databases on: DAILYPAPERS_TEST_PG_URL when set, else a
private pgserver (PostgreSQL 16 + pgvector from PyPI) in a temp dir, stopped and removed on
exit, and fresh databases on it (`fresh_database`). Used by the tests' PostgreSQL fixtures
and by bench/import_bench.py."""

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
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url` (psycopg driver)."""
    parsed = sa.engine.make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    return parsed.set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(admin_url: str, prefix: str = "t_") -> Iterator[str]:
    """A new, empty database (pgvector available) on that server; dropped afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
