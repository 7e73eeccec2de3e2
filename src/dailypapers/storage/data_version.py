"""The data version: one number that every visible write bumps (triggers, migration 0008).

The page cache (web/page_cache.py) reads it once per request, a single-row primary-key
read, and keys cached pages on it: a page cached under version N is served only while the
version is still N, so a vote, a comment or an import shows on the next request.
"""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.storage.database import Database
from dailypapers.storage.operations_tables import data_version


class DataVersionStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._query = sa.select(data_version.c.version).where(data_version.c.id == 1)

    def current(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(self._query).scalar_one_or_none() or 0)
