"""Why a paper matched: highlighted query words (never inside LaTeX), the closest sentence."""

from __future__ import annotations

import gzip
import json

import numpy as np

from dailypapers.domain.papers import Paper
from dailypapers.domain.search import Span
from dailypapers.search.rationale import best_sentence, explain, similar_reason, term_spans
from tests.unit.conftest import ARXIV_ROWS


def _arxiv_paper(arxiv_id: str) -> Paper:
    with gzip.open(ARXIV_ROWS, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] == arxiv_id:
                return Paper(arxiv_id, row["title"], row["abstract"], row["authors"])
    raise AssertionError(f"{arxiv_id} not in {ARXIV_ROWS}")


def _marked(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_words_are_found_by_stem_in_a_real_abstract_but_never_inside_latex_math() -> None:
    paper = _arxiv_paper("2503.22932")  # "...heat-kernel $\mathcal{K}(t)$ in powers of the
    abstract = paper.abstract  #           proper time $t$ during the clustering process."
    spans, found = term_spans(abstract, ["t", "mathcal", "kernel", "clusters", "time"])
    marked = _marked(abstract, spans)
    assert "kernel" in marked and "time" in marked
    assert "clustering" in marked  # "clusters" and "clustering" share the stem "cluster"
    assert "t" not in marked and "mathcal" not in marked and "K" not in marked
    math = [(abstract.index("$\\mathcal"), abstract.index("$ in powers") + 1)]
    math.append((abstract.index("$t$"), abstract.index("$t$") + 3))
    assert not any(a <= s.start < b for s in spans for a, b in math)
    assert set(found) == {"kernel", "clusters", "time"}


def test_latex_command_names_are_not_highlighted() -> None:
    text = "We use \\textbf{bold} claims and bold ideas."
    spans, _ = term_spans(text, ["textbf", "bold"])
    assert _marked(text, spans) == ["bold", "bold"]


def test_title_and_abstract_spans_and_a_summary_naming_what_is_missing() -> None:
    paper = Paper("x", "Diffusion Models for Video", "We generate videos with diffusion.", [])
    why = explain(paper, ["video", "diffusion", "audio"])
    assert _marked(paper.title, why.title_spans) == ["Diffusion", "Video"]
    assert _marked(paper.abstract, why.abstract_spans) == ["videos", "diffusion"]
    assert why.matched_terms == ["diffusion", "video"]
    assert "title has" in why.summary and "not “audio”" in why.summary


def test_semantic_rationale_names_the_sentence_and_its_similarity() -> None:
    paper = Paper("x", "T", "First sentence about cats. Second sentence about dogs.", [])
    sentence = Span(paper.abstract.index("Second"), len(paper.abstract))
    why = explain(paper, ["canine"], sentence=sentence, sentence_similarity=0.61)
    assert why.sentence_text(paper) == "Second sentence about dogs."
    assert "similarity 0.61" in why.summary


def test_best_sentence_is_the_most_similar_row() -> None:
    rows = np.eye(3, 4, dtype=np.float32)
    query = np.array([0.1, 0.9, 0.2, 0.0], np.float32)
    assert best_sentence(query, rows) == (1, np.float32(0.9))
    assert best_sentence(query, np.zeros((0, 4), np.float32)) == (-1, 0.0)


def test_similar_reason_names_shared_topic_words_not_generic_ones() -> None:
    a = Paper("a", "Video Diffusion Models", "We propose a novel video diffusion model.", [])
    b = Paper(
        "b", "Efficient Video Diffusion", "Our method speeds up video diffusion sampling.", []
    )
    reason = similar_reason(a, b, 0.83)
    assert reason.startswith("83% similar")
    assert "video" in reason and "diffusion" in reason
    assert "method" not in reason and "propose" not in reason


def test_a_word_is_never_marked_for_a_different_word_with_the_same_porter_stem() -> None:
    paper = Paper("x", "Resource-Rational Analysis of Rationales", "Rational agents.", [])
    why = explain(paper, ["rationale"])
    assert _marked(paper.title, why.title_spans) == ["Rationales"]
    assert why.abstract_spans == []
    generalization = explain(Paper("y", "How Models Generalize", "", []), ["generalization"])
    assert generalization.title_spans == [] and generalization.matched_terms == []


def test_inflections_of_a_word_are_still_marked() -> None:
    text = "We proposed and propose methods, using used tools; studies of a study."
    spans, found = term_spans(text, ["propose", "use", "method", "study"])
    assert _marked(text, spans) == [
        "proposed",
        "propose",
        "methods",
        "using",
        "used",
        "studies",
        "study",
    ]
    assert found == ["propose", "method", "use", "study"]
