"""All wiring in one place: settings -> database -> stores -> services.

`services.community` bundles the community use cases (wired by `build_community`):
auth (sessions, CSRF, logins, API tokens), accounts (sign-up, verification, password reset,
settings), votes, submissions, comments, collections, profiles (/u/{username}) and
moderation (admin switches).

Entry points (web, api, cli) call `bootstrap(settings)` once and use what it returns; tests
pass their own settings and a fixed clock here instead of patching modules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.domain.ingest import RunCounts
from dailypapers.ingest.http import HttpClient, HttpPolicy
from dailypapers.mail.mailer import Mailer, build_mailer
from dailypapers.search import build_engine
from dailypapers.search.embedder import Embedder, EmbedderUnavailable
from dailypapers.services.accounts import AccountService
from dailypapers.services.auth import AuthService, PasswordHashing
from dailypapers.services.clock import Clock, utc_now
from dailypapers.services.collections import CollectionService
from dailypapers.services.comments import CommentService
from dailypapers.services.digest_for_you import DigestForYou
from dailypapers.services.digests import DigestService
from dailypapers.services.dump import DumpService
from dailypapers.services.embedding import EmbeddingService
from dailypapers.services.feedback_links import FeedbackLinkService
from dailypapers.services.imports import ImportService
from dailypapers.services.ingest import IngestService
from dailypapers.services.jobs import JobRunner
from dailypapers.services.keyphrases import KeyphraseService
from dailypapers.services.listings import ListingService
from dailypapers.services.moderation import ModerationService
from dailypapers.services.operations import OperationsService
from dailypapers.services.profiles import ProfileService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.saved_searches import HybridDigestSearch
from dailypapers.services.scheduler import Scheduler
from dailypapers.services.search import SearchService
from dailypapers.services.submissions import PaperFetcher, SubmissionService
from dailypapers.services.subscriptions import SubscriptionService
from dailypapers.services.syndication import SyndicationService
from dailypapers.services.votes import VoteService
from dailypapers.storage.bulk_index import KeywordIndexMaintenance
from dailypapers.storage.category_listings import CategoryPapers
from dailypapers.storage.collections import CollectionStore
from dailypapers.storage.comments import CommentStore
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.deliveries import DeliveryStore
from dailypapers.storage.dump import DumpStore
from dailypapers.storage.feedback_links import FeedbackLinkStore
from dailypapers.storage.ingest_runs import IngestRunStore
from dailypapers.storage.jobs import JobStore
from dailypapers.storage.keyphrases import KeyphraseStore
from dailypapers.storage.papers import PaperStore
from dailypapers.storage.rate_limits import RateLimitStore
from dailypapers.storage.recommendations import RecommendationStore
from dailypapers.storage.sessions import SessionStore
from dailypapers.storage.submissions import SubmissionStore
from dailypapers.storage.subscriptions import SubscriptionStore
from dailypapers.storage.users import UserStore
from dailypapers.storage.votes import VoteStore

log = logging.getLogger(__name__)


@dataclass
class Community:
    auth: AuthService
    accounts: AccountService
    votes: VoteService
    submissions: SubmissionService
    comments: CommentService
    collections: CollectionService
    profiles: ProfileService
    moderation: ModerationService


@dataclass
class Services:
    settings: Settings
    db: Database
    papers: PaperStore
    listings: ListingService
    imports: ImportService
    clock: Clock
    ingest: IngestService
    scheduler: Scheduler  # serve starts/stops it (serve_runs_scheduler); worker loops it
    community: Community  # accounts, sessions, votes, submissions, comments, collections
    mailer: Mailer  # SMTP or console (mail_backend): digests, confirmations, account links
    subscriptions: SubscriptionService  # subscribe (double opt-in), manage, unsubscribe
    digests: DigestService  # send_due(now): every due digest, exactly once
    syndication: SyndicationService  # Atom feeds
    search: SearchService  # hybrid search, similar papers
    embedding: EmbeddingService  # embeds papers (`dailypapers index`)
    jobs: JobRunner  # the job queue: embed batches, claimed by any serve/worker process
    data_version: DataVersionStore  # bumped by every visible write; keys the page cache
    operations: OperationsService  # pools, jobs, backlogs and lags for /metrics
    dump: DumpService  # `export` / `import-dump`: the whole site as portable JSONL
    recommendations: RecommendationService  # For you, 👍/👎, followed authors
    feedback_links: FeedbackLinkService  # the 👍/👎 links in digest mails
    keyphrases: KeyphraseService  # computed keyphrases for papers without HF's ai_keywords

    def upgrade_schema(self) -> None:
        self.db.upgrade()
        # A bulk import killed before it rebuilt the keyword index: repair it now.
        if self.imports.keyword_index.ensure():
            log.warning("rebuilt the keyword index a stopped bulk import had left incomplete")

    def unready_reason(self) -> str | None:
        """None when this process can serve requests (the database answers), else why not."""
        return self.db.ping()

    def load_demo(self) -> RunCounts | None:
        """Import the bundled demo data if the database has no papers yet.

        Its embeddings ship precomputed (demo/embeddings.npz), so semantic search and
        similar papers work at once, without running `dailypapers index`.
        """
        if self.papers.count() > 0:
            return None
        report = self.imports.import_file(demo_data_path(), "hf-daily")
        vectors = demo_embeddings_path()
        if vectors.is_file():
            self.embedding.import_vectors(vectors)
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
) -> tuple[SearchService, EmbeddingService]:
    """Search wiring: the engine picks its backends for the database (dailypapers.search)."""
    engine = build_engine(settings, db, embedder)
    return (
        SearchService(settings, engine, KeyphraseStore(db)),
        EmbeddingService(
            settings, engine.embeddings, engine.embedders, clock, on_change=engine.invalidate
        ),
    )


def build_community(
    settings: Settings,
    db: Database,
    papers: PaperStore,
    clock: Clock,
    *,
    mailer: Mailer,
    paper_fetcher: PaperFetcher | None = None,
) -> Community:
    """Community wiring: accounts, sessions, votes, submissions, comments, collections."""
    users = UserStore(db)
    rate_limits = RateLimitStore(db)
    passwords = PasswordHashing(settings)
    vote_store = VoteStore(db)
    comment_store = CommentStore(db)
    accounts = AccountService(settings, users, rate_limits, passwords, mailer, clock)
    submissions = SubmissionService(
        settings, papers, SubmissionStore(db), clock, fetcher=paper_fetcher
    )
    collections = CollectionService(settings, papers, CollectionStore(db), clock)
    return Community(
        auth=AuthService(settings, users, SessionStore(db), rate_limits, passwords, clock),
        accounts=accounts,
        votes=VoteService(settings, vote_store, clock),
        submissions=submissions,
        comments=CommentService(settings, papers, comment_store, clock),
        collections=collections,
        profiles=ProfileService(settings, users, vote_store, submissions, collections),
        moderation=ModerationService(papers, comment_store, accounts),
    )


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_now,
    mailer: Mailer | None = None,
    paper_fetcher: PaperFetcher | None = None,
    embedder: Embedder | None = None,
) -> Services:
    """`mailer` replaces the one the settings ask for (`mail_backend`), for every mail the
    site sends; `embedder` replaces the MiniLM model loaded on first use (tests share one)."""
    settings = settings or Settings()
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
    keyword_index = KeywordIndexMaintenance(db)
    imports = ImportService(settings, papers, clock, keyword_index)
    ingest = IngestService(
        settings,
        papers,
        IngestRunStore(db),
        HttpClient(HttpPolicy.from_settings(settings)),
        imports,
        clock,
    )
    scheduler = Scheduler(clock, tick_s=settings.scheduler_tick_s)
    mailer = mailer or build_mailer(settings)
    subscription_store, deliveries = SubscriptionStore(db), DeliveryStore(db)
    category_papers = CategoryPapers(db, papers)
    listings = ListingService(settings, papers, clock, category_papers)
    ingest.register_jobs(scheduler)
    search, index = build_search(settings, db, clock, embedder)
    jobs, versions = JobRunner(settings, JobStore(db), clock), DataVersionStore(db)
    # Saved searches (digests) and search feeds run through the hybrid search.
    digest_search = HybridDigestSearch(search)
    keyphrase_store = KeyphraseStore(db)
    recommendations = RecommendationService(
        settings,
        RecommendationStore(db),
        papers,
        search.engine.embeddings,
        search.engine.model,
        listings,
        clock,
        keyphrase_store,
    )
    services = Services(
        settings=settings,
        db=db,
        papers=papers,
        listings=listings,
        imports=imports,
        clock=clock,
        ingest=ingest,
        scheduler=scheduler,
        community=build_community(
            settings,
            db,
            papers,
            clock,
            mailer=mailer,
            paper_fetcher=paper_fetcher or ingest.arxiv,
        ),
        mailer=mailer,
        subscriptions=SubscriptionService(
            settings, subscription_store, deliveries, mailer, clock, RateLimitStore(db)
        ),
        digests=DigestService(
            settings,
            papers,
            deliveries,
            subscription_store,
            digest_search,
            category_papers,
            mailer,
            clock,
            for_you=DigestForYou(UserStore(db), recommendations),
        ),
        syndication=SyndicationService(
            settings, papers, listings, digest_search, category_papers, clock
        ),
        search=search,
        embedding=index,
        jobs=jobs,
        data_version=versions,
        operations=OperationsService(db, jobs.store, ingest.runs, index, versions, clock),
        dump=DumpService(DumpStore(db, page_size=settings.import_batch_size), settings),
        recommendations=recommendations,
        feedback_links=FeedbackLinkService(FeedbackLinkStore(db), papers),
        keyphrases=KeyphraseService(
            settings, keyphrase_store, search.engine.embeddings, search.engine.embedders, clock
        ),
    )
    # Digests are checked on every tick: planning is idempotent and costs one read when
    # nothing is due, so any number of serve/worker processes can run it.
    scheduler.register(
        "digests", lambda now: now, lambda stop: services.digests.send_due(stop=stop)
    )
    # New papers are embedded on every tick (an idle tick costs two count queries), so search
    # and similar papers see them without a manual `dailypapers index`; as queued jobs, so
    # any number of processes share the work and a dead worker's batch is retried.
    scheduler.register(
        "index",
        lambda now: now,
        index_job(index, jobs, versions, settings, services.keyphrases),
    )
    scheduler.register(
        "user_models", lambda now: now, user_model_job(services.recommendations, jobs, settings)
    )
    return services


def user_model_job(
    recommendations: RecommendationService, jobs: JobRunner, settings: Settings
) -> Callable[[threading.Event], None]:
    """The scheduler's `user_models` task: a `user_model` job per reader whose history
    changed since their stored model was fitted, keyed by the reader and that change (so
    processes ticking at once queue it once), then work the queue. The job fits and stores
    the model (`RecommendationService.refresh_model`), so the next page load scores with it
    instead of fitting."""
    jobs.register(
        "user_model", lambda payload, _stop: recommendations.refresh_model(payload["user_id"])
    )

    def run(stop: threading.Event) -> None:
        for user_id, at in recommendations.changed_readers(limit=settings.index_job_batch_limit):
            jobs.enqueue("user_model", f"{user_id}:{at.isoformat()}", {"user_id": user_id})
        jobs.run_pending(stop)

    return run


def index_job(
    index: EmbeddingService,
    jobs: JobRunner,
    versions: DataVersionStore,
    settings: Settings,
    keyphrases: KeyphraseService,
) -> Callable[[threading.Event], None]:
    """The scheduler's `index` task: queue embed jobs for pending papers, then work the queue.

    Up to `index_job_batch_limit` pending papers are queued as `embed` jobs of
    `embedding_batch_size` papers, keyed by the data version and their ids, so processes
    ticking at once queue each batch once (and an embedding written bumps the version, so
    papers still pending later get fresh jobs). Then this process runs queued jobs, as every
    other process that runs the scheduler does (services/jobs.py). When the model can't run
    here it says so once per process and then neither queues nor embeds.

    Embedded papers without HF's `ai_keywords` and without computed keyphrases are queued
    the same way as `keyphrases` jobs (services/keyphrases.py); a paper embedded by this
    tick's embed jobs gets its keyphrases on a later tick.
    """
    unavailable: list[str] = []

    def embed(payload: dict, _stop: threading.Event) -> None:
        try:
            report = index.embed_ids(payload["ids"])
        except EmbedderUnavailable as exc:
            if not unavailable:
                log.warning("index job: the embedding model is unavailable (%s)", exc.message)
            unavailable.append(exc.message)
            raise
        if report.embedded:
            log.info("index job: embedded %d papers", report.embedded)

    jobs.register("embed", embed)

    def compute_keyphrases(payload: dict, _stop: threading.Event) -> None:
        try:
            done = keyphrases.compute_ids(payload["ids"])
        except EmbedderUnavailable as exc:
            unavailable.append(exc.message)
            raise
        if done:
            log.info("index job: computed keyphrases for %d papers", done)

    jobs.register("keyphrases", compute_keyphrases)

    def run(stop: threading.Event) -> None:
        if unavailable:
            return
        if jobs.store.open_count("embed") == 0 and index.status().pending:
            version = versions.current()
            for ids in index.plan_batches(limit=settings.index_job_batch_limit):
                key = f"{index.model}:v{version}:{ids[0]}..{ids[-1]}:{len(ids)}"
                jobs.enqueue("embed", key, {"ids": ids})
        if jobs.store.open_count("keyphrases") == 0 and keyphrases.pending():
            version = versions.current()
            for ids in keyphrases.plan_batches(limit=settings.index_job_batch_limit):
                key = f"{keyphrases.model}:v{version}:{ids[0]}..{ids[-1]}:{len(ids)}"
                jobs.enqueue("keyphrases", key, {"ids": ids})
        jobs.run_pending(stop)

    return run
