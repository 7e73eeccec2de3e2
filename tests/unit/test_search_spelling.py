"""Spelling suggestions come from the words of the corpus's titles, and only for unknown words."""

from __future__ import annotations

from dailypapers.search.spelling import Vocabulary, edit_distance

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


def test_one_edit_for_short_words_the_common_word_wins_a_tie_and_first_letters_stay() -> None:
    v = vocabulary([*TITLES, "Modules of Calvert", "Models", "Models"])
    assert v.correct("modles") == "models"  # "modules" is one edit away too, but rarer
    assert v.correct("alert") is None  # "calvert" is near, but starts differently
    assert v.correct("splating") == "splatting"


def test_edit_distance_counts_a_swap_once_and_stops_at_the_limit() -> None:
    assert edit_distance("modles", "models", 1) == 1
    assert edit_distance("tranformer", "transformer", 2) == 1
    assert edit_distance("abc", "xyz", 1) == 2  # limit + 1: "more than one"
    assert edit_distance("same", "same", 0) == 0
