"""Embedding papers: the resumable `dailypapers index` job.

What gets embedded, and how, is the search engine's recipe (`dailypapers.search.recipe`);
this use case decides when. The job works in batches of `embedding_batch_size` papers, each
committed on its own: kill it and rerun it, and it goes on where it stopped. It never redoes
finished work: a paper is picked up when it has no vector for the model, or when it was
modified since its vector was checked and its text hash (title, abstract, recipe) differs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dailypapers.config import SearchSettings
from dailypapers.search.embedder import Embedder
from dailypapers.search.recipe import EmbedderSource, embed_papers, text_hash
from dailypapers.search.vector_files import read_vectors
from dailypapers.services.clock import Clock
from dailypapers.storage.embeddings import EmbeddingStore, PendingPaper

Progress = Callable[[int, int], None]  # (papers done, papers to do)


@dataclass(slots=True)
class EmbeddingReport:
    model: str
    to_do: int = 0  # papers that were candidates when the run started
    embedded: int = 0
    unchanged: int = 0  # modified since checked, but their text was the same
    batches: int = 0
    seconds: float = 0.0
    stopped_early: bool = False
    errors: list[str] = field(default_factory=list)
    runs_on: str = ""  # the execution provider that ran the model, and its precision

    @property
    def per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "to_do": self.to_do,
            "embedded": self.embedded,
            "unchanged": self.unchanged,
            "batches": self.batches,
            "seconds": round(self.seconds, 2),
            "papers_per_second": round(self.per_second, 2),
            "stopped_early": self.stopped_early,
            "runs_on": self.runs_on,
        }


@dataclass(frozen=True, slots=True)
class EmbeddingStatus:
    model: str
    embedded: int
    pending: int


class EmbeddingService:
    def __init__(
        self,
        settings: SearchSettings,
        store: EmbeddingStore,
        embedders: EmbedderSource,
        clock: Clock,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedders = embedders
        self.clock = clock
        self.on_change = on_change  # tells this process's vector search to look again

    @property
    def model(self) -> str:
        return self.embedders.model

    def status(self) -> EmbeddingStatus:
        return EmbeddingStatus(
            self.model, self.store.count(self.model), self.store.count_pending(self.model)
        )

    def run(
        self,
        *,
        batch_size: int | None = None,
        limit: int | None = None,
        progress: Progress | None = None,
    ) -> EmbeddingReport:
        """Embed what is missing or stale, a committed batch at a time.

        `limit` stops after about that many papers were embedded (a batch is never split).
        """
        batch_size = batch_size or self.settings.embedding_batch_size
        model = self.model
        report = EmbeddingReport(model, to_do=self.store.count_pending(model))
        if progress:
            progress(0, report.to_do)
        if report.to_do == 0:
            return report
        embedder = self.embedders.get()
        report.runs_on = getattr(embedder, "runs_on", type(embedder).__name__)
        started = time.perf_counter()
        after: str | None = None
        done = 0
        while True:
            # Stamped before reading: an edit landing while this batch embeds is newer than
            # the stamp, so the next run sees it.
            checked_at = self.clock()
            batch = self.store.pending(model, after=after, limit=batch_size)
            if not batch:
                break
            after = batch[-1].arxiv_id
            self._embed_batch(embedder, batch, checked_at, report)
            done += len(batch)
            if progress:
                progress(min(done, report.to_do), report.to_do)
            if limit is not None and report.embedded >= limit:
                report.stopped_early = True
                break
        report.seconds = time.perf_counter() - started
        return report

    def _embed_batch(
        self,
        embedder: Embedder,
        batch: Sequence[PendingPaper],
        checked_at: datetime,
        report: EmbeddingReport,
    ) -> None:
        model = self.model
        changed, same = [], []
        for paper in batch:
            digest = text_hash(model, paper.title, paper.abstract)
            (same if paper.text_hash == digest else changed).append(paper)
        records = embed_papers(
            embedder, [(p.arxiv_id, p.title, p.abstract) for p in changed], model
        )
        self.store.save(model, records, checked_at=checked_at)
        self.store.mark_checked(model, [p.arxiv_id for p in same], at=checked_at)
        report.embedded += len(records)
        report.unchanged += len(same)
        if records:
            self.on_change()
        report.batches += 1

    def plan_batches(self, *, limit: int) -> list[list[str]]:
        """Up to `limit` pending papers' ids in `embedding_batch_size` batches: embed jobs."""
        size = self.settings.embedding_batch_size
        ids = [p.arxiv_id for p in self.store.pending(self.model, limit=limit)]
        return [ids[i : i + size] for i in range(0, len(ids), size)]

    def embed_ids(self, ids: Sequence[str]) -> EmbeddingReport:
        """Embed those of `ids` still pending: one embed job. Running it twice is harmless."""
        checked_at = self.clock()
        batch = self.store.pending_among(self.model, ids)
        report = EmbeddingReport(self.model, to_do=len(batch))
        if batch:
            started = time.perf_counter()
            self._embed_batch(self.embedders.get(), batch, checked_at, report)
            report.seconds = time.perf_counter() - started
        return report

    def import_vectors(self, path: Path) -> int:
        """Store vectors from a file written by `write_vectors` (the demo's, an eval cache).

        Only papers that exist and still have the text the vectors were made from are
        taken; the rest are left to `run`. Returns how many were stored.
        """
        model, records = read_vectors(path)
        if model != self.model or not records:
            return 0
        by_id = {r.arxiv_id: r for r in records}
        stored = 0
        after: str | None = None
        batch_size = max(self.settings.embedding_batch_size, 1000)
        while True:
            checked_at = self.clock()
            batch = self.store.pending(model, after=after, limit=batch_size)
            if not batch:
                return stored
            after = batch[-1].arxiv_id
            matching = [
                by_id[p.arxiv_id]
                for p in batch
                if p.arxiv_id in by_id
                and by_id[p.arxiv_id].text_hash == text_hash(model, p.title, p.abstract)
                and p.text_hash != by_id[p.arxiv_id].text_hash
            ]
            self.store.save(model, matching, checked_at=checked_at)
            stored += len(matching)
            if matching:
                self.on_change()
