"""dailypapers.domain.trending: time-decayed upvotes, as Hacker News ranks stories."""

from __future__ import annotations

import pytest

from dailypapers.domain.trending import FORMULA, trending_score


def test_trending_prefers_recent_votes():
    old = trending_score(upvotes=50, age_hours=72)
    new = trending_score(upvotes=20, age_hours=3)
    assert new > old


def test_score_follows_the_published_formula():
    assert trending_score(upvotes=10, age_hours=8, gravity=2.0) == pytest.approx(10 / 100)
    assert trending_score(upvotes=6, age_hours=0, gravity=1.0) == pytest.approx(3.0)
    assert FORMULA == "upvotes / (age_hours + 2) ^ gravity"


def test_default_gravity_is_1_8():
    assert trending_score(30, 10) == pytest.approx(30 / 12**1.8)


def test_zero_votes_score_zero_at_any_age():
    assert trending_score(0, 0) == 0.0
    assert trending_score(0, 500) == 0.0


def test_negative_votes_count_as_zero():
    assert trending_score(-5, 1) == 0.0


def test_negative_age_is_clamped_to_zero():
    # A clock skew must not make a paper look newer than brand new.
    assert trending_score(10, -5) == trending_score(10, 0)
    assert trending_score(10, -1000) == trending_score(10, 0)


def test_brand_new_paper_does_not_divide_by_zero():
    assert trending_score(1, 0) == pytest.approx(1 / 2**1.8)


@pytest.mark.parametrize("gravity", [0, 0.0, -1, -0.5])
def test_gravity_must_be_positive(gravity):
    with pytest.raises(ValueError, match="gravity must be positive"):
        trending_score(10, 5, gravity=gravity)


def test_score_is_monotonic_in_votes():
    scores = [trending_score(votes, 24) for votes in range(0, 200, 7)]
    assert scores == sorted(scores)
    assert len(set(scores)) == len(scores)


def test_score_decays_with_age():
    scores = [trending_score(40, hours) for hours in (0, 1, 6, 24, 72, 168)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)


def test_higher_gravity_makes_age_win_sooner():
    # With little gravity, more votes still win after three days; with a lot, recency wins.
    assert trending_score(50, 72, gravity=0.2) > trending_score(20, 3, gravity=0.2)
    assert trending_score(50, 72, gravity=1.8) < trending_score(20, 3, gravity=1.8)
