"""Rank fusion: reciprocal rank fusion and z-score fusion of keyword and semantic scores."""

from __future__ import annotations

import pytest

from dailypapers.search.fusion import minmax, normalised_fusion, ranked, rrf, zscores


def test_rrf_sums_reciprocal_ranks_over_lists() -> None:
    fused = rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert ranked(fused)[0] == "b"


def test_rrf_weights_scale_each_list() -> None:
    fused = rrf([["a"], ["b"]], weights=[2.0, 1.0])
    assert ranked(fused) == ["a", "b"]


def test_a_paper_first_in_both_lists_is_first_after_fusion() -> None:
    keyword = {"a": 9.0, "b": 5.0, "c": 1.0}
    semantic = {"a": 0.8, "b": 0.3, "c": 0.5, "d": 0.6}
    assert ranked(normalised_fusion(keyword, semantic, keyword_weight=0.35))[0] == "a"


def test_fusion_weight_one_keeps_keyword_order_and_zero_keeps_semantic_order() -> None:
    keyword = {"a": 3.0, "b": 2.0, "c": 1.0}
    semantic = {"a": 0.1, "b": 0.9, "c": 0.5}
    assert ranked(normalised_fusion(keyword, semantic, keyword_weight=1.0)) == ["a", "b", "c"]
    assert ranked(normalised_fusion(keyword, semantic, keyword_weight=0.0)) == ["b", "c", "a"]


def test_a_paper_missing_from_the_keyword_list_scores_as_the_lowest_keyword_hit() -> None:
    keyword = {"a": 4.0, "b": 2.0}
    semantic = {"a": 0.5, "b": 0.5, "c": 0.5}
    fused = normalised_fusion(keyword, semantic, keyword_weight=0.5)
    assert fused["c"] == pytest.approx(fused["b"])
    assert fused["c"] < fused["a"]


def test_a_large_score_gap_survives_fusion_where_ranks_would_lose_it() -> None:
    # "a" is far ahead on keywords, barely behind semantically: it should stay first.
    keyword = {"a": 30.0, "b": 2.0, "c": 1.9}
    semantic = {"a": 0.60, "b": 0.61, "c": 0.2}
    assert ranked(normalised_fusion(keyword, semantic, keyword_weight=0.35))[0] == "a"


def test_normalisers_handle_constant_and_empty_scores() -> None:
    assert zscores({"a": 2.0, "b": 2.0}) == {"a": 0.0, "b": 0.0}
    assert minmax({"a": 2.0, "b": 2.0}) == {"a": 1.0, "b": 1.0}
    assert zscores({}) == {} == minmax({})
    z = zscores({"a": 1.0, "b": 3.0})
    assert z["a"] == pytest.approx(-1.0) and z["b"] == pytest.approx(1.0)


def test_ranked_breaks_ties_by_id() -> None:
    assert ranked({"b": 1.0, "a": 1.0, "c": 2.0}) == ["c", "a", "b"]


def test_a_candidate_without_a_vector_is_unknown_in_meaning_not_the_worst() -> None:
    keyword = {"exact": 30.0, "b": 10.0, "c": 9.0, "d": 8.0}
    semantic = {"b": 0.6, "c": 0.55, "d": 0.5}  # "exact" has no vector yet
    fused = normalised_fusion(keyword, semantic, keyword_weight=0.35)
    assert ranked(fused)[0] == "exact"
