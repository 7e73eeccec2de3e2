"""The search feature: the engine (its backends picked for the database), hybrid search and
similar papers, embedding papers, computed keyphrases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dailypapers.config import SearchSettings, SiteSettings
from dailypapers.search import build_engine
from dailypapers.search.embedder import Embedder
from dailypapers.search.recipe import EmbedderSource
from dailypapers.services.clock import Clock
from dailypapers.services.embedding import EmbeddingService
from dailypapers.services.keyphrases import KeyphraseService
from dailypapers.services.search import SearchService
from dailypapers.services.wiring.storage import Storage
from dailypapers.storage.embeddings import EmbeddingStore


@dataclass(frozen=True)
class SearchFeature:
    search: SearchService  # hybrid search, similar papers
    embedding: EmbeddingService  # embeds papers (`dailypapers index`, the index job)
    keyphrases: KeyphraseService  # keyphrases for papers without HF's ai_keywords
    vectors: EmbeddingStore  # the papers' stored vectors: For you reads them
    embedders: EmbedderSource  # the embedding model, loaded on first use

    @property
    def model(self) -> str:
        """The embedding model's name: stored vectors are keyed by it."""
        return self.embedders.model


def build_search(
    settings: SearchSettings,
    site: SiteSettings,
    storage: Storage,
    clock: Clock,
    *,
    data_dir: Path,
    embedder: Embedder | None = None,
) -> SearchFeature:
    """`embedder` replaces the MiniLM model loaded on first use (tests share one)."""
    engine = build_engine(
        settings,
        storage.db,
        storage.versions,
        data_dir=data_dir,
        page_size=site.page_size,
        embedder=embedder,
    )
    return SearchFeature(
        search=SearchService(settings, site, engine, storage.keyphrases),
        embedding=EmbeddingService(
            settings, engine.embeddings, engine.embedders, clock, on_change=engine.invalidate
        ),
        keyphrases=KeyphraseService(
            settings, storage.keyphrases, engine.embeddings, engine.embedders, clock
        ),
        vectors=engine.embeddings,
        embedders=engine.embedders,
    )
