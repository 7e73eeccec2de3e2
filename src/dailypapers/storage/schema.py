"""The whole schema in one place: importing this module registers every table on `metadata`.

Core and search tables live in `tables.py`; each further feature keeps its tables in a module
of its own (`<feature>_tables.py`) on the same metadata, imported below, so Alembic and the
schema test (tests/integration/test_schema.py) see all of them.
"""

from __future__ import annotations

from dailypapers.storage import (
    community_tables,  # noqa: F401
    digest_tables,  # noqa: F401  (registers its tables)
    ingest_tables,  # noqa: F401
    keyphrase_tables,  # noqa: F401
    operations_tables,  # noqa: F401
    recommendation_tables,  # noqa: F401
)
from dailypapers.storage.tables import include_name, metadata

__all__ = ["include_name", "metadata"]
