"""The migrated schema is exactly the declared one, on both databases.

These tests migrate an empty database (`empty_database_url`), not a copy of the session's
migrated template: the migrations are what they test. The last one holds what every other
test relies on: its copy of the template is at head before anything upgrades it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dailypapers.services.bootstrap import Services
from dailypapers.storage.database import Database, alembic_config
from dailypapers.storage.schema import include_name, metadata
from tests.conftest import make_services


def _head() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite:///unused.db")).get_heads()
    assert len(heads) == 1, f"merge the migration heads: {heads}"
    return heads[0]


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
    assert migrated.db.current_revision() == _head()

    migrated.upgrade_schema()

    assert migrated.db.current_revision() == _head()


def test_the_migration_history_has_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite:///unused.db")).get_heads()
    assert len(heads) == 1, f"merge the migration heads: {heads}"


def test_a_tests_copy_of_the_migrated_template_is_already_at_head(database_url: str) -> None:
    """`database_url` is a copy of the session's template (tests/databases.py)."""
    copy = Database(database_url)
    try:
        assert copy.current_revision() == _head()  # before any upgrade
        with copy.read() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            assert compare_metadata(context, metadata) == []
    finally:
        copy.dispose()
