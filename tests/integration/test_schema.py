"""The migrated schema is exactly the declared one, on both databases.

These tests migrate an empty database (`empty_database_url`), not a copy of the session's
migrated template: the migrations are what they test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dailypapers.services.bootstrap import Services
from dailypapers.storage.schema import include_name, metadata
from tests.conftest import make_services


@pytest.fixture
def migrated(tmp_path: Path, empty_database_url: str) -> Iterator[Services]:
    """An empty database taken through every migration."""
    services = make_services(tmp_path, empty_database_url)
    yield services
    services.close()


def test_migrations_produce_the_declared_tables(migrated: Services) -> None:
    with migrated.db.read() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_is_repeatable_and_reports_head(migrated: Services) -> None:
    migrated.upgrade_schema()
    assert migrated.db.current_revision() is not None


def test_the_migration_history_has_one_head() -> None:
    from alembic.script import ScriptDirectory

    from dailypapers.storage.database import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite:///unused.db")).get_heads()
    assert len(heads) == 1, f"merge the migration heads: {heads}"
