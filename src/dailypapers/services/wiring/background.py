"""Background work: the scheduler every serve/worker process ticks, the job queue they
share, and the recurring tasks registered on them (ingest runs, due digests, embedding new
papers, computing keyphrases, refitting readers' For you models)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from dailypapers.config import JobSettings
from dailypapers.search.embedder import EmbedderUnavailable
from dailypapers.services.clock import Clock
from dailypapers.services.digests import DigestService
from dailypapers.services.embedding import EmbeddingService
from dailypapers.services.ingest import IngestService
from dailypapers.services.jobs import JobRunner
from dailypapers.services.keyphrases import KeyphraseService
from dailypapers.services.recommendations import RecommendationService
from dailypapers.services.scheduler import Scheduler
from dailypapers.services.wiring.storage import Storage
from dailypapers.storage.data_version import DataVersionStore
from dailypapers.storage.jobs import JobStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Background:
    scheduler: Scheduler  # serve starts/stops it (serve_runs_scheduler); worker loops it
    jobs: JobRunner  # the job queue: embed batches, claimed by any serve/worker process


def build_background(
    settings: JobSettings,
    storage: Storage,
    clock: Clock,
    *,
    ingest: IngestService,
    digests: DigestService,
    embedding: EmbeddingService,
    keyphrases: KeyphraseService,
    recommendations: RecommendationService,
) -> Background:
    scheduler = Scheduler(clock, tick_s=settings.scheduler_tick_s)
    jobs = JobRunner(settings, JobStore(storage.db), clock)
    ingest.register_jobs(scheduler)
    # Digests are checked on every tick: planning is idempotent and costs one read when
    # nothing is due, so any number of serve/worker processes can run it.
    scheduler.register("digests", lambda now: now, lambda stop: digests.send_due(stop=stop))
    # New papers are embedded on every tick (an idle tick costs two count queries), so search
    # and similar papers see them without a manual `dailypapers index`; as queued jobs, so
    # any number of processes share the work and a dead worker's batch is retried.
    scheduler.register(
        "index",
        lambda now: now,
        index_job(embedding, jobs, storage.versions, settings, keyphrases),
    )
    scheduler.register(
        "user_models", lambda now: now, user_model_job(recommendations, jobs, settings)
    )
    return Background(scheduler=scheduler, jobs=jobs)


def user_model_job(
    recommendations: RecommendationService, jobs: JobRunner, settings: JobSettings
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
    settings: JobSettings,
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
