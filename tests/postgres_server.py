"""A PostgreSQL server to create databases on: DAILYPAPERS_TEST_PG_URL when set, else a
private pgserver (PostgreSQL 16 + pgvector from PyPI) in a temp dir, stopped and removed on
exit. Used by the test session's `pg_admin_url` fixture and by bench/import_bench.py."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
