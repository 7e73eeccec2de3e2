"""Keyphrase candidates and the MMR pick (search/keyphrases.py), on a real arXiv row and on
vectors made to order; the real model's picks are tested in
tests/integration/test_keyphrases.py."""

from __future__ import annotations

import numpy as np

from dailypapers.domain.search import STOPWORDS
from dailypapers.search.keyphrases import FILLER, KeyphraseParams, candidates, mmr
from tests.unit.conftest import ARXIV_ROWS, _find_rows

STYLEMORPHEUS = "2503.11792"  # "StyleMorpheus: A Style-Based 3D-Aware Morphable Face Model"


def test_candidates_are_whole_words_of_the_text_without_stopword_edges() -> None:
    row = _find_rows(ARXIV_ROWS, "id", {STYLEMORPHEUS})[STYLEMORPHEUS]
    found = candidates(row["title"], row["abstract"], KeyphraseParams(candidates=200))
    text = " ".join(f"{row['title']} {row['abstract']}".split()).casefold()
    assert "3d-aware" in {c.casefold() for c in found}  # a word may start with digits
    assert not any(c.casefold().startswith("d-aware") for c in found)
    for phrase in found:
        assert phrase.casefold() in text
        words = phrase.casefold().split()
        assert 1 <= len(words) <= 3
        assert not set(words) & (STOPWORDS | FILLER), phrase
    title_words = {c.casefold() for c in candidates(row["title"], "", KeyphraseParams())}
    assert [c.casefold() for c in found[: len(title_words)]] == sorted(
        title_words, key=[c.casefold() for c in found].index
    )  # the title's candidates come first


def test_surface_forms_keep_acronyms_and_lower_plain_capitals() -> None:
    found = candidates("Scaling LLM Agents with GPT-4 and ViT Backbones", "", KeyphraseParams())
    assert "LLM agents" in found and "GPT-4" in found and "ViT backbones" in found
    assert "isn't" not in " ".join(candidates("", "This isn't helpful.", KeyphraseParams()))


def test_mmr_prefers_relevance_then_diversity_and_skips_contained_phrases() -> None:
    paper = np.array([1.0, 0.0, 0.0], np.float32)
    phrases = ["diffusion models", "diffusion", "video generation", "score distillation"]
    rows = np.array(
        [[0.95, 0.31, 0.0], [0.9, 0.43, 0.0], [0.7, 0.0, 0.71], [0.72, 0.69, 0.0]], np.float32
    )
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    picked = mmr(paper, phrases, rows, KeyphraseParams(top=2, diversity_weight=0.5))
    # "diffusion" is inside the first pick; "video generation" is unlike it
    assert picked == ["diffusion models", "video generation"]
