"""Paper vectors in a file: the shipped demo vectors and the evaluation cache.

One .npz: model name, ids, text hashes, whole-paper vectors, and the sentence vectors of all
papers stacked (offsets say whose rows are whose). `compact` (the shipped demo file) stores
whole-paper vectors as float16 and sentence vectors as int8 with a scale per row: a quarter
of the size, cosine error ~1e-3, invisible in rankings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from dailypapers.storage.embeddings import EmbeddingRecord


def write_vectors(
    path: Path, model: str, records: Sequence[EmbeddingRecord], *, compact: bool = False
) -> None:
    dim = int(records[0].vector.shape[0]) if records else 0
    sentences = [
        np.asarray(r.sentences if r.sentences is not None else np.zeros((0, dim)), np.float32)
        for r in records
    ]
    spans = [list(r.sentence_spans or []) for r in records]
    stacked = np.vstack(sentences) if sentences else np.zeros((0, dim), np.float32)
    arrays: dict[str, np.ndarray] = {
        "model": np.array(model),
        "ids": np.array([r.arxiv_id for r in records]),
        "text_hash": np.array([r.text_hash for r in records]),
        "sentence_offsets": np.cumsum([0] + [len(m) for m in sentences]).astype(np.int64),
        "span_offsets": np.cumsum([0] + [len(x) for x in spans]).astype(np.int64),
        "spans": np.array([s for x in spans for s in x], np.int32).reshape(-1, 2),
    }
    vectors = np.vstack([r.vector for r in records]) if records else np.zeros((0, dim))
    if compact:
        scale = np.maximum(np.abs(stacked).max(axis=1, keepdims=True), 1e-12) / 127.0
        arrays["vectors"] = vectors.astype(np.float16)
        arrays["sentences_int8"] = np.round(stacked / scale).astype(np.int8)
        arrays["sentence_scale"] = scale[:, 0].astype(np.float32)
    else:
        arrays["vectors"] = vectors.astype(np.float32)
        arrays["sentences"] = stacked.astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(temporary, **arrays)
    temporary.replace(path)


def read_vectors(path: Path) -> tuple[str, list[EmbeddingRecord]]:
    with np.load(path, allow_pickle=False) as data:
        model = str(data["model"])
        vectors = data["vectors"].astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        if "sentences_int8" in data:
            sentences = data["sentences_int8"].astype(np.float32) * data["sentence_scale"][:, None]
        else:
            sentences = data["sentences"].astype(np.float32)
        sentences /= np.maximum(np.linalg.norm(sentences, axis=1, keepdims=True), 1e-12)
        offsets, span_offsets, spans = data["sentence_offsets"], data["span_offsets"], data["spans"]
        records = [
            EmbeddingRecord(
                arxiv_id=str(arxiv_id),
                text_hash=str(digest),
                vector=vectors[i],
                sentences=sentences[offsets[i] : offsets[i + 1]],
                sentence_spans=[
                    (int(a), int(b)) for a, b in spans[span_offsets[i] : span_offsets[i + 1]]
                ],
            )
            for i, (arxiv_id, digest) in enumerate(zip(data["ids"], data["text_hash"], strict=True))
        ]
    return model, records
