"""Semantic and hybrid search, and similar papers, with the real int8 MiniLM embedder.

One database per module and dialect holds 300 real HF rows, 80 of them with vectors
(search_support.py); nothing here writes to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dailypapers.domain.search import SearchFilters
from dailypapers.errors import BadRequest, NotFound
from dailypapers.search.vector_files import read_vectors
from dailypapers.services.bootstrap import Services

PART123 = "2405.16888"  # "Part123: Part-aware 3D Reconstruction from a Single-view Image"
# The same idea in other words: no word of the title appears.
PARAPHRASE = "rebuilding a three-dimensional object and its components from one photograph"

pytest_plugins = ("tests.integration.search_support",)


def ids(page) -> list[str]:
    return [hit.paper.arxiv_id for hit in page.hits]


def test_semantic_search_finds_a_paper_by_meaning_without_its_words(
    readonly_services: Services, sample_vectors: Path
) -> None:
    page = readonly_services.search.search(PARAPHRASE, mode="semantic", limit=5)
    assert page.mode_used == "semantic" and page.notice is None
    assert ids(page)[0] == PART123
    assert page.hits[0].rationale.title_spans == []  # no query word is in the title
    assert all(hit.semantic_rank is not None for hit in page.hits)
    embedded = len(read_vectors(sample_vectors)[1])
    assert readonly_services.search.status().embedded == embedded


def test_each_semantic_hit_names_its_closest_abstract_sentence(readonly_services: Services) -> None:
    page = readonly_services.search.search(PARAPHRASE, mode="semantic", limit=10)
    query = readonly_services.search.query_vector(PARAPHRASE)
    stored = readonly_services.search.engine.embeddings.sentences(
        readonly_services.embedding.model, ids(page)
    )
    for hit in page.hits:
        why, paper = hit.rationale, hit.paper
        assert why.sentence is not None
        assert 0 <= why.sentence.start < why.sentence.end <= len(paper.abstract)
        sentence = why.sentence_text(paper)
        assert sentence.strip() == sentence and len(sentence) > 20
        vectors = stored[paper.arxiv_id]
        abstract_rows = vectors.matrix[len(vectors.matrix) - len(vectors.spans) :]
        assert why.sentence_similarity == pytest.approx(float(np.max(abstract_rows @ query)))
        assert "closest sentence" in why.summary


def test_hybrid_fuses_keyword_and_semantic_lists(readonly_services: Services) -> None:
    page = readonly_services.search.search("part-aware 3D reconstruction from a single image")
    assert page.mode_used == "hybrid"
    assert ids(page)[0] == PART123
    top = page.hits[0]
    assert top.keyword_rank is not None and top.semantic_rank is not None
    assert top.rationale.title_spans and top.rationale.sentence is not None
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True)
    # papers without a vector still come through the keyword side
    keyword_only = readonly_services.search.search("ConvLLaVA", mode="hybrid")
    assert "2405.15738" in ids(keyword_only)


def test_semantic_results_respect_filters(readonly_services: Services) -> None:
    filters = SearchFilters(has_code=True)
    page = readonly_services.search.search(PARAPHRASE, mode="semantic", filters=filters)
    assert all(hit.paper.github_repo for hit in page.hits)
    none = SearchFilters(category="no.such-category")
    assert readonly_services.search.search(PARAPHRASE, mode="semantic", filters=none).hits == []


def test_similar_papers_exclude_the_paper_itself_and_say_why(readonly_services: Services) -> None:
    similar = readonly_services.search.similar(PART123, limit=5)
    assert len(similar) == 5
    assert PART123 not in [s.paper.arxiv_id for s in similar]
    sims = [s.similarity for s in similar]
    assert sims == sorted(sims, reverse=True) and all(0 < s < 1 for s in sims)
    for s in similar:
        assert s.reason.startswith(f"{s.similarity:.0%} similar")


def test_similar_papers_of_unknown_or_unembedded_papers(readonly_services: Services) -> None:
    with pytest.raises(NotFound):
        readonly_services.search.similar("2405.99999")
    with pytest.raises(BadRequest):
        readonly_services.search.similar(PART123, limit=0)
    assert readonly_services.search.similar(_an_unembedded_paper(readonly_services)) == []


def _an_unembedded_paper(services: Services) -> str:
    page = services.search.search("language models", mode="keyword", limit=100)
    embedded = set(services.search.engine.embeddings.sentences(services.embedding.model, ids(page)))
    return next(i for i in ids(page) if i not in embedded)
