"""The migrated schema is exactly the declared one, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dailypapers.services.bootstrap import Services
from dailypapers.storage.schema import include_name, metadata


def test_migrations_produce_the_declared_tables(services: Services) -> None:
    with services.db.read() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_is_repeatable_and_reports_head(services: Services) -> None:
    services.upgrade_schema()
    assert services.db.current_revision() is not None


def test_the_migration_history_has_one_head() -> None:
    from alembic.script import ScriptDirectory

    from dailypapers.storage.database import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite:///unused.db")).get_heads()
    assert len(heads) == 1, f"merge the migration heads: {heads}"
