"""Spelling suggestions come from the words of the corpus's titles, and only for unknown words."""

from __future__ import annotations

from dailypapers.search.spelling import Vocabulary

TITLES = [
    "Multilingual Transformers for Speech Recognition",
    "Scaling Transformer Models",
    "Transformer Circuits in Language Models",
    "Gaussian Splatting for Scenes",
]


def vocabulary(titles=TITLES, refresh_s: float = 3600.0) -> Vocabulary:
    return Vocabulary(lambda: list(titles), refresh_s)


def test_a_misspelt_word_is_spelled_as_the_titles_spell_it() -> None:
    assert vocabulary().suggest("Tranformer circuits", ["tranformer", "circuits"]) == (
        "transformer circuits"
    )


def test_the_more_frequent_of_two_equally_close_words_wins() -> None:
    assert vocabulary().correct("transformerz") in {"transformer", "transformers"}
    assert vocabulary().correct("tranformer") == "transformer"


def test_known_words_gibberish_and_short_words_get_no_suggestion() -> None:
    v = vocabulary()
    assert v.suggest("gaussian splatting", ["gaussian", "splatting"]) is None
    assert v.suggest("xyzzy qwertyuiopasdf", ["xyzzy", "qwertyuiopasdf"]) is None
    assert v.correct("spech") == "speech"
    assert v.correct("gaus") is None  # too far from "gaussian"; short words stay as typed


def test_the_vocabulary_is_read_once_until_it_is_stale() -> None:
    reads = []

    def titles():
        reads.append(1)
        return TITLES

    v = Vocabulary(titles, refresh_s=3600.0)
    v.correct("tranformer")
    v.correct("multilingal")
    assert len(reads) == 1
    stale = Vocabulary(titles, refresh_s=0.0)
    stale.correct("tranformer")
    stale.correct("tranformer")
    assert len(reads) == 3
