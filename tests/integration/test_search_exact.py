"""Short queries as people type them: exact titles, pasted ids and URLs, partial vectors.

The module's database holds 300 real HF rows of which only 80 have vectors, as after an
import that `dailypapers index` hasn't finished (search_support.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dailypapers.search.vector_files import read_vectors
from dailypapers.services.bootstrap import Services

pytest_plugins = ("tests.integration.search_support",)


def ids(page) -> list[str]:
    return [hit.paper.arxiv_id for hit in page.hits]


@pytest.fixture(scope="module")
def unembedded(readonly_services: Services, hf_sample: Path, sample_vectors: Path) -> list:
    embedded = {r.arxiv_id for r in read_vectors(sample_vectors)[1]}
    rows = [json.loads(line) for line in hf_sample.read_text().splitlines()]
    papers = readonly_services.search.engine.keyword_index.papers(
        [r["arxiv_id"] for r in rows if r["arxiv_id"] not in embedded]
    )
    return sorted(papers.values(), key=lambda p: p.arxiv_id)[:12]


def test_hybrid_says_how_much_is_embedded_and_ranks_unembedded_titles_first(
    readonly_services: Services, unembedded: list
) -> None:
    for paper in unembedded:
        page = readonly_services.search.search(paper.title, mode="hybrid", limit=10)
        assert page.mode_used == "hybrid"
        assert page.embedded_fraction == pytest.approx(80 / 300, abs=0.02)
        assert ids(page)[0] == paper.arxiv_id, paper.title


def test_an_unembedded_paper_competes_on_its_words_in_hybrid(
    readonly_services: Services, unembedded: list
) -> None:
    """Not an exact title (so not pinned): the fusion alone must keep it near the top."""
    checked = []
    for paper in unembedded:
        words = paper.title.split()
        query = " ".join(words[: max(3, len(words) - 2)])
        keyword = ids(readonly_services.search.search(query, mode="keyword", limit=10))
        if keyword[:1] != [paper.arxiv_id]:
            continue  # keyword search itself prefers another paper: nothing to keep
        hybrid = ids(readonly_services.search.search(query, mode="hybrid", limit=100))
        checked.append((hybrid.index(paper.arxiv_id) + 1) if paper.arxiv_id in hybrid else None)
    assert len(checked) >= 6 and all(rank == 1 for rank in checked), checked


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_exact_titles_and_pasted_ids_come_first_in_every_mode(
    readonly_services: Services, unembedded: list, mode: str
) -> None:
    paper = unembedded[0]
    title = readonly_services.search.search(paper.title.upper(), mode=mode, limit=5)
    assert ids(title)[0] == paper.arxiv_id and title.opened is None
    for pasted in (
        paper.arxiv_id,
        f"https://arxiv.org/abs/{paper.arxiv_id}v2",
        f"arxiv.org/pdf/{paper.arxiv_id}.pdf",
        f"https://huggingface.co/papers/{paper.arxiv_id}",
    ):
        page = readonly_services.search.search(pasted, mode=mode, limit=5)
        assert page.opened == paper.arxiv_id, pasted
        assert ids(page)[0] == paper.arxiv_id
    missing = readonly_services.search.search("2101.00001", mode=mode, limit=5)
    assert missing.opened is None
