"""The top-level composition: settings -> the features, each built by its own
`build_<feature>` (services/wiring/) from its settings section.

Entry points call `bootstrap(settings)` once: `create_app(services)` keeps the result for
the routes, which receive their feature's facade through `dailypapers.deps`, and the CLI's
context hands it to the commands. Tests pass their own settings and a fixed clock here
instead of patching modules. Nothing else imports this module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dailypapers.config import Settings
from dailypapers.domain.ingest import RunCounts
from dailypapers.mail.mailer import Mailer, build_mailer
from dailypapers.mail.messages import mail_site
from dailypapers.search.embedder import Embedder
from dailypapers.services.clock import Clock, utc_now
from dailypapers.services.demo import demo_data_path, demo_embeddings_path
from dailypapers.services.digests import DigestService
from dailypapers.services.dump import DumpService
from dailypapers.services.embedding import EmbeddingService
from dailypapers.services.feedback_links import FeedbackLinkService
from dailypapers.services.imports import ImportService
from dailypapers.services.ingest import IngestService
from dailypapers.services.jobs import JobRunner
from dailypapers.services.keyphrases import KeyphraseService
from dailypapers.services.listings import ListingService
from dailypapers.services.operations import OperationsService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.scheduler import Scheduler
from dailypapers.services.search import SearchService
from dailypapers.services.submissions import PaperFetcher
from dailypapers.services.subscriptions import SubscriptionService
from dailypapers.services.syndication import SyndicationService
from dailypapers.services.wiring.background import build_background
from dailypapers.services.wiring.community import Community, build_community
from dailypapers.services.wiring.ingest import build_ingest
from dailypapers.services.wiring.mail import build_mail
from dailypapers.services.wiring.recommendations import build_recommendations
from dailypapers.services.wiring.search import build_search
from dailypapers.services.wiring.storage import build_storage
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.database import Database
from dailypapers.storage.papers import PaperStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The composed site: every feature's facade, for the app and the CLI."""

    settings: Settings
    clock: Clock
    db: Database
    papers: PaperStore
    data_version: DataVersionStore  # bumped by every visible write; keys the page cache
    listings: ListingService  # the day/week/month and trending listings
    imports: ImportService
    ingest: IngestService
    dump: DumpService  # `export` / `import-dump`: the whole site as portable JSONL
    search: SearchService  # hybrid search, similar papers
    embedding: EmbeddingService  # embeds papers (`dailypapers index`)
    keyphrases: KeyphraseService  # computed keyphrases for papers without HF's ai_keywords
    community: Community  # accounts, sessions, votes, submissions, comments, collections
    recommendations: RecommendationService  # For you, 👍/👎, followed authors
    mailer: Mailer  # SMTP or console (mail_backend): digests, confirmations, account links
    subscriptions: SubscriptionService  # subscribe (double opt-in), manage, unsubscribe
    digests: DigestService  # send_due(now): every due digest, exactly once
    syndication: SyndicationService  # Atom feeds
    feedback_links: FeedbackLinkService  # the 👍/👎 links in digest mails
    scheduler: Scheduler  # serve starts/stops it (serve_runs_scheduler); worker loops it
    jobs: JobRunner  # the job queue: embed batches, claimed by any serve/worker process
    operations: OperationsService  # pools, jobs, backlogs and lags for /metrics

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
    site = settings.site
    storage = build_storage(settings.storage)
    ingest = build_ingest(settings.ingest, storage, clock, base_url=site.base_url)
    listings = ListingService(site, storage.papers, clock, storage.categories)
    search = build_search(
        settings.search,
        site,
        storage,
        clock,
        data_dir=settings.storage.data_dir,
        embedder=embedder,
    )
    mailer = mailer or build_mailer(settings.digests)
    sender = mail_site(site, settings.digests)
    community = build_community(
        settings.community,
        site,
        storage,
        clock,
        mailer=mailer,
        mail_site=sender,
        paper_fetcher=paper_fetcher or ingest.ingest.arxiv,
    )
    recommendations = build_recommendations(
        settings.recommendations, site, storage, clock, search=search, listings=listings
    )
    mail = build_mail(
        settings.digests,
        site,
        storage,
        clock,
        mailer=mailer,
        mail_site=sender,
        community=settings.community,
        search=search.search,
        listings=listings,
        recommendations=recommendations,
    )
    background = build_background(
        settings.jobs,
        storage,
        clock,
        ingest=ingest.ingest,
        digests=mail.digests,
        embedding=search.embedding,
        keyphrases=search.keyphrases,
        recommendations=recommendations,
    )
    return Services(
        settings=settings,
        clock=clock,
        db=storage.db,
        papers=storage.papers,
        data_version=storage.versions,
        listings=listings,
        imports=ingest.imports,
        ingest=ingest.ingest,
        dump=ingest.dump,
        search=search.search,
        embedding=search.embedding,
        keyphrases=search.keyphrases,
        community=community,
        recommendations=recommendations,
        mailer=mailer,
        subscriptions=mail.subscriptions,
        digests=mail.digests,
        syndication=mail.syndication,
        feedback_links=mail.feedback_links,
        scheduler=background.scheduler,
        jobs=background.jobs,
        operations=OperationsService(
            storage.db,
            background.jobs.store,
            ingest.ingest.runs,
            search.embedding,
            storage.versions,
            clock,
        ),
    )
