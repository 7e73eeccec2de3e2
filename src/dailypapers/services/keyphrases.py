"""Keyphrases for papers without Hugging Face's `ai_keywords`: when they are computed, and
where they are read.

The extraction itself is search/keyphrases.py (candidates from the text, embedded with the
bundled model, picked by MMR against the paper's vector). This use case runs it in batches
of `embedding_batch_size` papers, each committed on its own, over papers that are embedded
and lack keyphrases for their current text (storage/keyphrases.py `pending`): as the last
step of `dailypapers index`, and as `keyphrases` jobs the scheduler's `index` task queues
(services/wiring/background.py), so papers that arrive by ingest, import or the demo's shipped
vectors get them without a manual run. Killing a run loses at most one batch.

They are stored apart from HF's `ai_keywords` (which the HF-compatible API returns alone)
and shown as computed (the paper page, For-you's "shares keyphrases" reasons).
"""

from __future__ import annotations

from collections.abc import Sequence

from dailypapers.config import SearchSettings
from dailypapers.search.keyphrases import KeyphraseParams, extract
from dailypapers.search.recipe import EmbedderSource
from dailypapers.services.clock import Clock
from dailypapers.storage.embeddings import EmbeddingStore
from dailypapers.storage.keyphrases import KeyphrasePending, KeyphraseStore


class KeyphraseService:
    def __init__(
        self,
        settings: SearchSettings,
        store: KeyphraseStore,
        embeddings: EmbeddingStore,
        embedders: EmbedderSource,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.embedders = embedders
        self.clock = clock
        self.params = KeyphraseParams(
            top=settings.keyphrases_per_paper,
            candidates=settings.keyphrase_candidates,
            diversity_weight=settings.keyphrase_diversity_weight,
        )

    @property
    def model(self) -> str:
        return self.embedders.model

    def pending(self) -> int:
        return self.store.count_pending(self.model)

    def run(self, *, limit: int | None = None) -> int:
        """Compute what is pending, a committed batch at a time; how many papers got some."""
        done = 0
        while limit is None or done < limit:
            batch = self.store.pending(self.model, limit=self.settings.embedding_batch_size)
            if not batch:
                break
            done += self._compute(batch)
        return done

    def plan_batches(self, *, limit: int) -> list[list[str]]:
        """Up to `limit` pending papers' ids in `embedding_batch_size` batches: jobs."""
        size = self.settings.embedding_batch_size
        ids = [p.arxiv_id for p in self.store.pending(self.model, limit=limit)]
        return [ids[i : i + size] for i in range(0, len(ids), size)]

    def compute_ids(self, ids: Sequence[str]) -> int:
        """Keyphrases for those of `ids` still pending: one job. Running it twice is harmless."""
        batch = self.store.pending(self.model, limit=len(ids), among=ids)
        return self._compute(batch) if batch else 0

    def _compute(self, batch: Sequence[KeyphrasePending]) -> int:
        vectors = self.embeddings.vectors_for(self.model, [p.arxiv_id for p in batch])
        ready = [p for p in batch if p.arxiv_id in vectors]
        found = extract(
            self.embedders.get(),
            [(p.title, p.abstract, vectors[p.arxiv_id]) for p in ready],
            self.params,
        )
        rows = [(p.arxiv_id, p.text_hash, phrases) for p, phrases in zip(ready, found, strict=True)]
        self.store.save(self.model, rows, now=self.clock())
        return len(rows)

    def for_paper(self, arxiv_id: str) -> list[str]:
        return self.store.for_papers([arxiv_id]).get(arxiv_id, [])

    def for_papers(self, ids: Sequence[str]) -> dict[str, list[str]]:
        return self.store.for_papers(ids)
