"""All wiring in one place: settings -> database -> stores -> services.

Entry points (web, api, cli) call `bootstrap(settings)` once and use what it returns; tests
pass their own settings and a fixed clock here instead of patching modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.services.feed import FeedService
from dailypapers.services.imports import ImportReport, ImportService
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PaperStore

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    papers: PaperStore
    feed: FeedService
    imports: ImportService
    clock: Clock

    def upgrade_schema(self) -> None:
        self.db.upgrade()

    def load_demo(self) -> ImportReport | None:
        """Import the bundled demo data if the database has no papers yet."""
        if self.papers.count() > 0:
            return None
        return self.imports.import_file(demo_data_path(), "hf-daily")

    def close(self) -> None:
        self.db.dispose()


def demo_data_path() -> Path:
    """Real HF daily-papers rows (the last ~75 days of the shared set) shipped in the package."""
    return Path(str(resources.files("dailypapers") / "demo" / "hf_daily_papers.jsonl.gz"))


def bootstrap(settings: Settings | None = None, *, clock: Clock = utc_now) -> Services:
    settings = settings or Settings()
    db = Database(
        settings.resolved_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        time_limit_ms=settings.sql_time_limit_ms,
        pool_size=settings.db_pool_size,
    )
    papers = PaperStore(db)
    return Services(
        settings=settings,
        db=db,
        papers=papers,
        feed=FeedService(settings, papers, clock),
        imports=ImportService(settings, papers, clock),
        clock=clock,
    )
