"""Sentence splitting of real abstracts: spans index the original text."""

from __future__ import annotations

import json

from dailypapers.search.sentences import sentences, split_sentences
from tests.unit.conftest import SHARED_DATA


def _scifact_first_abstract() -> str:
    with (SHARED_DATA / "scifact" / "corpus.jsonl").open(encoding="utf-8") as handle:
        return json.loads(handle.readline())["text"]


def test_glued_sentences_of_the_scifact_corpus_are_split() -> None:
    text = _scifact_first_abstract()  # "...functional disabilities.A line scan..."
    found = sentences(text)
    assert len(found) == 9
    assert found[1].startswith("A line scan diffusion-weighted")
    assert found[4].startswith("In the posterior limb")  # after "1.2 microm2/ms.In"


def test_spans_index_the_original_text_without_surrounding_space() -> None:
    text = (
        "  The first sentence is here.\nThe second one\nwraps a line. A third sentence ends here!  "
    )
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "The first sentence is here.",
        "The second one\nwraps a line.",
        "A third sentence ends here!",
    ]


def test_hard_wrapped_arxiv_abstract_with_headings(arxiv_rows) -> None:
    text = arxiv_rows["2503.11677"]["abstract"]  # "Objective. Patients ...\nprosthesis ..."
    found = sentences(text)
    assert found[0].startswith("Objective. Patients implanted")  # a heading joins its sentence
    assert all("\n" not in s or not s.endswith("\n") for s in found)
    assert found[-1].endswith("for face recognition.")
    assert 10 <= len(found) <= 16


def test_abbreviations_decimals_and_math_do_not_end_sentences() -> None:
    text = (
        "We compare with e.g. ResNet and the method of Smith et al. on ImageNet (Fig. 3). "
        "The bound is $O(n. m)$ for all n and accuracy rises by 3.5 points. "
        "It is \\emph{fast} in practice."
    )
    assert sentences(text) == [
        "We compare with e.g. ResNet and the method of Smith et al. on ImageNet (Fig. 3).",
        "The bound is $O(n. m)$ for all n and accuracy rises by 3.5 points.",
        "It is \\emph{fast} in practice.",
    ]


def test_lower_cased_collections_end_sentences_with_spaced_periods() -> None:
    text = "glucose levels were measured in plasma . significant correlations were found ."
    assert sentences(text) == [
        "glucose levels were measured in plasma .",
        "significant correlations were found .",
    ]


def test_text_without_punctuation_is_one_sentence_and_empty_text_none() -> None:
    assert sentences("a title without any ending punctuation") == [
        "a title without any ending punctuation"
    ]
    assert split_sentences("   ") == []
