"""All wiring in one place: settings -> database -> stores -> services.

Entry points (web, api, cli) call `bootstrap(settings)` once and use what it returns; tests
pass their own settings and a fixed clock here instead of patching modules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.ingest.http import HttpClient, HttpPolicy
from dailypapers.mail.mailer import Mailer as OutgoingMailer
from dailypapers.mail.mailer import build_mailer
from dailypapers.search import build_engine
from dailypapers.search.embedder import Embedder, EmbedderUnavailable
from dailypapers.services.community import Community, Mailer, PaperFetcher, build_community
from dailypapers.services.digest_search import HybridDigestSearch
from dailypapers.services.digests import DigestService
from dailypapers.services.feed import FeedService
from dailypapers.services.imports import ImportReport, ImportService
from dailypapers.services.indexing import IndexService
from dailypapers.services.ingest import IngestService
from dailypapers.services.scheduler import Scheduler
from dailypapers.services.search import SearchService
from dailypapers.services.subscriptions import SubscriptionService
from dailypapers.services.syndication import SyndicationService
from dailypapers.storage.database import Database
from dailypapers.storage.deliveries import DeliveryStore
from dailypapers.storage.digest_search import CategoryPapers
from dailypapers.storage.ingest_runs import IngestRunStore
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

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
    ingest: IngestService
    scheduler: Scheduler  # serve starts/stops it (serve_runs_scheduler); worker loops it
    community: Community  # accounts, sessions, votes, submissions, comments, collections
    outgoing_mail: OutgoingMailer  # SMTP or console (mail_backend): digests, confirmations
    subscriptions: SubscriptionService  # subscribe (double opt-in), manage, unsubscribe
    digests: DigestService  # send_due(now): every due digest, exactly once
    syndication: SyndicationService  # Atom feeds
    search: SearchService  # hybrid search, similar papers
    index: IndexService  # embeds papers (`dailypapers index`)

    def upgrade_schema(self) -> None:
        self.db.upgrade()

    def load_demo(self) -> ImportReport | None:
        """Import the bundled demo data if the database has no papers yet.

        Its embeddings ship precomputed (demo/embeddings.npz), so semantic search and
        similar papers work at once, without running `dailypapers index`.
        """
        if self.papers.count() > 0:
            return None
        report = self.imports.import_file(demo_data_path(), "hf-daily")
        vectors = demo_embeddings_path()
        if vectors.is_file():
            self.index.import_vectors(vectors)
        return report

    def close(self) -> None:
        self.search.close()
        self.scheduler.stop()
        self.ingest.close()
        self.db.dispose()


def demo_data_path() -> Path:
    """Real HF daily-papers rows (the last ~75 days of the shared set) shipped in the package."""
    return Path(str(resources.files("dailypapers") / "demo" / "hf_daily_papers.jsonl.gz"))


def demo_embeddings_path() -> Path:
    """The demo papers' vectors (tools/make_demo_embeddings.py writes them)."""
    return Path(str(resources.files("dailypapers") / "demo" / "embeddings.npz"))


def build_search(
    settings: Settings, db: Database, clock: Clock, embedder: Embedder | None = None
) -> tuple[SearchService, IndexService]:
    """Search wiring: the engine picks its backends for the database (dailypapers.search)."""
    engine = build_engine(settings, db, embedder)
    return (
        SearchService(settings, engine),
        IndexService(
            settings, engine.embeddings, engine.embedders, clock, on_change=engine.invalidate
        ),
    )


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_now,
    account_mailer: Mailer | None = None,
    paper_fetcher: PaperFetcher | None = None,
    embedder: Embedder | None = None,
) -> Services:
    """`embedder` replaces the MiniLM model loaded on first use (tests share one)."""
    settings = settings or Settings()
    db = Database(
        settings.resolved_database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        time_limit_ms=settings.sql_time_limit_ms,
        pool_size=settings.db_pool_size,
    )
    papers = PaperStore(db)
    imports = ImportService(settings, papers, clock)
    ingest = IngestService(
        settings,
        papers,
        IngestRunStore(db),
        HttpClient(HttpPolicy.from_settings(settings)),
        imports,
        clock,
    )
    scheduler = Scheduler(clock, tick_s=settings.scheduler_tick_s)
    outgoing_mail = build_mailer(settings)
    subscription_store, deliveries = SubscriptionStore(db), DeliveryStore(db)
    category_papers = CategoryPapers(db, papers)
    feed = FeedService(settings, papers, clock)
    ingest.register_jobs(scheduler)
    search, index = build_search(settings, db, clock, embedder)
    # Saved searches (digests) and search feeds run through the hybrid search.
    digest_search = HybridDigestSearch(search)
    services = Services(
        settings=settings,
        db=db,
        papers=papers,
        feed=feed,
        imports=imports,
        clock=clock,
        ingest=ingest,
        scheduler=scheduler,
        # Sign-up confirmation and password-reset mail; tests pass a recorder.
        community=build_community(
            settings,
            db,
            papers,
            clock,
            mailer=account_mailer or outgoing_mail,
            paper_fetcher=paper_fetcher or ingest.arxiv,
        ),
        outgoing_mail=outgoing_mail,
        subscriptions=SubscriptionService(
            settings, subscription_store, deliveries, outgoing_mail, clock
        ),
        digests=DigestService(
            settings,
            papers,
            deliveries,
            subscription_store,
            digest_search,
            category_papers,
            outgoing_mail,
            clock,
        ),
        syndication=SyndicationService(
            settings, papers, feed, digest_search, category_papers, clock
        ),
        search=search,
        index=index,
    )
    # Digests are checked on every tick: planning is idempotent and costs one read when
    # nothing is due, so any number of serve/worker processes can run it.
    scheduler.register(
        "digests", lambda now: now, lambda stop: services.digests.send_due(stop=stop)
    )
    # New papers are embedded on every tick (an idle tick costs one count query), so search
    # and similar papers see them without a manual `dailypapers index`.
    scheduler.register("index", lambda now: now, index_job(index, settings))
    return services


def index_job(index: IndexService, settings: Settings) -> Callable[[threading.Event], None]:
    """The scheduler's `index` job: embed up to `index_job_batch_limit` pending papers.

    When the model can't run here it says so once per process and then does nothing.
    """
    unavailable: list[str] = []

    def run(_stop: threading.Event) -> None:
        if unavailable or index.status().pending == 0:
            return
        try:
            report = index.run(limit=settings.index_job_batch_limit)
        except EmbedderUnavailable as exc:
            unavailable.append(exc.message)
            log.warning("index job: the embedding model is unavailable (%s)", exc.message)
            return
        if report.embedded:
            log.info("index job: embedded %d papers", report.embedded)

    return run
