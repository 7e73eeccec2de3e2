"""The embedding recipe: what exactly gets embedded for a paper, and the model that does it.

A paper is embedded sentence by sentence (its title counts as the first sentence); its own
vector is the normalised sum of those, the title counted twice (`paper_vector`). Measured on
SciFact train with the int8 MiniLM on 2 cores (`dailypapers eval beir`): embedding
"title. abstract" as one text gives nDCG@10 0.660 for semantic search and embeds ~16
papers/s; sentences are short, so embedding them one by one runs at ~26 papers/s, covers
abstracts past the model's 256 tokens, and scoring a paper by its whole vector and its best
sentence together gives 0.69 semantic and the same hybrid score (0.75) as adding the
whole-text pass, which would cost 60% more. The sentence vectors are stored too: they re-rank
candidates and give each semantic hit its rationale sentence.

`text_hash` ties a stored vector to the text and recipe it came from, so the indexing job
(services/embedding.py) re-embeds exactly what changed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from dailypapers.config import SearchSettings
from dailypapers.search.embedder import GPU_PROVIDERS, MODEL_NAME, Embedder, MiniLMEmbedder
from dailypapers.search.sentences import split_sentences
from dailypapers.storage.embeddings import EmbeddingRecord

log = logging.getLogger(__name__)

# Part of every text hash: change it when what is embedded changes (the text's shape, the
# sentence splitter), and `dailypapers index` re-embeds everything once.
RECIPE = "sentences, title x2 v1"
TITLE_WEIGHT = 2.0  # the title's share in the paper vector, in sentences
# MiniLMEmbedder(precision="int8").name, known without loading. The fp32 graph a GPU runs
# stores its vectors under this name too: they agree to a cosine >= 0.99 per text
# (search/embedder.py, precision_for), so vectors from either serve one index.
MODEL = f"{MODEL_NAME}-int8"


def _clean(text: str) -> str:
    return " ".join(text.split())


def text_hash(model: str, title: str, abstract: str) -> str:
    h = hashlib.sha256()
    for part in (RECIPE, model, title, abstract):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def sentence_units(title: str, abstract: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Texts to embed one by one (the title first when there is one) and the abstract spans.

    The stored sentence matrix has one more row than spans exactly when the title is in it.
    """
    spans = split_sentences(abstract)
    texts = [_clean(abstract[a:b]) for a, b in spans]
    if _clean(title):
        texts.insert(0, _clean(title))
    return texts, spans


def paper_vector(sentence_vectors: np.ndarray, has_title: bool) -> np.ndarray:
    """The paper's vector: its sentence vectors summed (title row x TITLE_WEIGHT), unit length."""
    weights = np.ones(len(sentence_vectors), np.float32)
    if has_title and len(weights):
        weights[0] = TITLE_WEIGHT
    total = weights @ sentence_vectors
    return (total / max(float(np.linalg.norm(total)), 1e-12)).astype(np.float32)


def embed_papers(
    embedder: Embedder, papers: Sequence[tuple[str, str, str]], model: str
) -> list[EmbeddingRecord]:
    """Vectors for (arxiv_id, title, abstract) triples: sentences, and the paper's from them."""
    if not papers:
        return []
    units: list[str] = []
    owners: list[int] = []
    spans_of: list[list[tuple[int, int]]] = []
    for i, (_, title, abstract) in enumerate(papers):
        texts, spans = sentence_units(title, abstract)
        if not texts:  # neither title nor abstract: embed the empty text, as the model can
            texts = [""]
        units += texts
        owners += [i] * len(texts)
        spans_of.append(spans)
    vectors = embedder.encode(units)
    bounds = np.searchsorted(np.asarray(owners), np.arange(len(papers) + 1))
    records = []
    for i, (arxiv_id, title, abstract) in enumerate(papers):
        rows = vectors[bounds[i] : bounds[i + 1]]
        records.append(
            EmbeddingRecord(
                arxiv_id=arxiv_id,
                text_hash=text_hash(model, title, abstract),
                vector=paper_vector(rows, bool(_clean(title))),
                sentences=rows,
                sentence_spans=spans_of[i],
            )
        )
    return records


class EmbedderSource:
    """The embedding model, loaded on first use (a second or so) and shared by the process."""

    def __init__(
        self,
        settings: SearchSettings,
        cache_dir: Path,
        factory: Callable[[], Embedder] | None = None,
    ):
        self.settings = settings
        self.cache_dir = cache_dir
        self._factory = factory or self._minilm
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()
        self.model = MODEL if factory is None else self.get().name

    def _minilm(self) -> Embedder:
        def load(precision: str, providers: list[str]) -> MiniLMEmbedder:
            return MiniLMEmbedder(
                self.cache_dir,
                max_tokens=self.settings.embedding_max_tokens,
                threads=self.settings.embedding_threads,
                providers=providers,
                precision=precision,
            )

        # fp32 on a GPU, int8 on the CPU: one vector space (MODEL), search/embedder.py
        embedder = load("auto", self.settings.embedding_providers)
        if embedder.precision == "fp32" and embedder.providers[0] not in GPU_PROVIDERS:
            # onnxruntime has the GPU provider but could not start it (no driver, no cuDNN)
            # and fell back to the CPU: there the int8 graph is the fast one.
            log.warning("the GPU provider did not start; embedding on the CPU (int8)")
            embedder = load("int8", ["CPUExecutionProvider"])
        return embedder

    def get(self) -> Embedder:
        """The embedder; raises EmbedderUnavailable when the model can't run here."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = self._factory()
        return self._embedder
