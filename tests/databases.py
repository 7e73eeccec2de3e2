"""Databases for tests: each kind is built once per test session, and each test gets a copy.

Migrating a new database through every Alembic revision costs 0.2-0.3 s on SQLite and 1-2.6 s
on PostgreSQL, and loading the bundled demo 3 s more; the suite paid that in nearly every
test. Now a *template* of each kind is built the first time a test asks for it, and each test
gets its own copy of it, which it may change as it likes:

- SQLite: the template file is copied to the test's path (a few ms). Its engines are
  disposed first, so the write-ahead log is folded into the file and nothing else is needed.
- PostgreSQL: `CREATE DATABASE <copy> TEMPLATE <template>`, a copy made by the server. A
  template may have no open connection while it is copied: its builder disposes its engines
  before the first copy, and nothing else ever connects to it. Copies are dropped after the
  test, templates at the end of the session.

Kinds (`Recipe`): `MIGRATED` is the schema at Alembic's head, what `upgrade_schema()` makes;
`demo_at(now)` adds the bundled demo (`load_demo()`: 1,219 papers with their vectors) and
`hf_daily_at(now, file)` an HF daily-papers file, each imported with the clock the test would
have used, since an import stamps its rows with that clock. Services opened on a copy still
call `upgrade_schema()`: it finds the schema at head and does nothing.
Tests of the migrations themselves use `fresh_database` (postgres_server.py) or a new
SQLite path instead: they start from nothing.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap
from tests.postgres_server import database_url


@dataclass(frozen=True)
class Recipe:
    """What a template holds: the migrated schema, then (imported at `now`) the demo and
    HF daily-papers files."""

    now: datetime | None = None
    demo: bool = False
    hf_daily: tuple[Path, ...] = ()

    @property
    def name(self) -> str:
        if not self.demo and not self.hf_daily:
            return "migrated"
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:10]
        return f"{'demo' if self.demo else 'rows'}_{digest}"

    def build(self, url: str, data_dir: Path) -> None:
        now = self.now or datetime(2026, 8, 21, tzinfo=UTC)
        services = bootstrap(Settings(data_dir=data_dir, database_url=url), clock=lambda: now)
        try:
            services.upgrade_schema()
            if self.demo:
                report = services.load_demo()
                assert report is not None and report.inserted > 1000, report
            for path in self.hf_daily:
                report = services.imports.import_file(path, "hf-daily")
                assert report.skipped == 0, report.errors
        finally:
            services.close()  # disposes every engine: no connection stays open on the template


MIGRATED = Recipe()


def demo_at(now: datetime) -> Recipe:
    """The bundled demo, imported at `now`."""
    return Recipe(now, demo=True)


def hf_daily_at(now: datetime, *files: Path) -> Recipe:
    """HF daily-papers files (`import hf-daily`), imported at `now`."""
    return Recipe(now, hf_daily=files)


class SqliteTemplates:
    """Template files in a private temp folder (removed when the process exits)."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._built: dict[Recipe, Path] = {}
        self._lock = threading.Lock()

    def template(self, recipe: Recipe) -> Path:
        with self._lock:
            if recipe not in self._built:
                if self._folder is None:
                    self._folder = Path(tempfile.mkdtemp(prefix="dailypapers-templates-"))
                    atexit.register(shutil.rmtree, self._folder, ignore_errors=True)
                path = self._folder / f"{recipe.name}.db"
                recipe.build(f"sqlite:///{path}", self._folder / recipe.name)
                _fold_wal(path)
                self._built[recipe] = path
            return self._built[recipe]

    def copy(self, path: Path, recipe: Recipe = MIGRATED) -> str:
        """The URL of a new SQLite file at `path`, a copy of the `recipe` template."""
        if path.exists():
            raise FileExistsError(f"{path} exists: a template copy needs a new path")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template(recipe), path)
        return f"sqlite:///{path}"


def _fold_wal(path: Path) -> None:
    """Checkpoint the write-ahead log into the file, so the file alone is the database."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


SQLITE = SqliteTemplates()


def sqlite_copy(path: Path, recipe: Recipe = MIGRATED) -> str:
    """The URL of a new SQLite database at `path`, at the schema's head (or with the demo)."""
    return SQLITE.copy(path, recipe)


class PostgresTemplates:
    """Template databases on one PostgreSQL server, and copies of them for tests."""

    def __init__(self, admin_url: str, data_dir: Path) -> None:
        self.admin_url = admin_url
        self.data_dir = data_dir
        self._admin = sa.create_engine(
            admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=True,  # a server restarted by a test (test_db_faults) drops its link
        )
        self._built: dict[Recipe, str] = {}
        self._session = uuid.uuid4().hex[:8]  # several test sessions may share one server

    def _execute(self, sql: str) -> None:
        with self._admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def template(self, recipe: Recipe) -> str:
        if recipe not in self._built:
            name = f"tpl_{self._session}_{recipe.name}"
            self._execute(f'CREATE DATABASE "{name}"')
            self._built[recipe] = name  # dropped by close() even if the build fails
            recipe.build(database_url(self.admin_url, name), self.data_dir / name)
        return self._built[recipe]

    def create(self, name: str, recipe: Recipe = MIGRATED) -> str:
        """The URL of a new database `name`, a copy of the `recipe` template; kept."""
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template(recipe)}"')
        return database_url(self.admin_url, name)

    @contextmanager
    def copy(self, recipe: Recipe = MIGRATED, prefix: str = "t_") -> Iterator[str]:
        """A new database copied from the `recipe` template; dropped afterwards."""
        name = f"{prefix}{uuid.uuid4().hex[:12]}"
        url = self.create(name, recipe)
        try:
            yield url
        finally:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in self._built.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.dispose()
