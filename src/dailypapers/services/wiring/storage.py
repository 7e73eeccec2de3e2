"""The storage feature: the database and the stores that several features share."""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config import StorageSettings
from dailypapers.services.db_retry import BatchRetry
from dailypapers.storage.category_listings import CategoryPapers
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.keyphrases import KeyphraseStore
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.users import UserStore


@dataclass(frozen=True)
class Storage:
    db: Database
    papers: PaperStore
    categories: CategoryPapers  # a category's papers: listings, digests, feeds
    versions: DataVersionStore  # bumped by every visible write; keys the caches
    users: UserStore  # accounts, and the digest's For you section
    rate_limits: RateLimitStore  # logins, sign-ups, account and subscription mail
    keyphrases: KeyphraseStore  # search facets, For you reasons, computed keyphrases
    retry: BatchRetry  # how imports and ingest retry a batch while the database is down


def build_storage(settings: StorageSettings) -> Storage:
    db = Database(
        settings.resolved_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        time_limit_ms=settings.sql_time_limit_ms,
        pool_size=settings.db_pool_size,
        wal_limit_bytes=settings.sqlite_wal_limit_mb * 2**20,
        connect_timeout_s=settings.db_connect_timeout_s,
        retry_after_s=settings.db_unavailable_retry_after_s,
    )
    papers = PaperStore(db)
    return Storage(
        db=db,
        papers=papers,
        categories=CategoryPapers(db, papers),
        versions=DataVersionStore(db),
        users=UserStore(db),
        rate_limits=RateLimitStore(db),
        keyphrases=KeyphraseStore(db),
        retry=BatchRetry(settings),
    )
