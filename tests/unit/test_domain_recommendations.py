"""The lines a recommendation says, and how a digest says them."""

from __future__ import annotations

from dailypapers.domain.digests import Reason as DigestReason
from dailypapers.domain.recommendations import Reason, reason_line


def test_a_followed_category_names_itself() -> None:
    assert reason_line(Reason("category", categories=("cs.CL",))) == (
        "New in cs.CL, which you follow"
    )
    assert reason_line(Reason("category", categories=("cs.CL", "cs.LG", "cs.AI"))) == (
        "New in cs.CL, cs.LG and cs.AI, which you follow"
    )


def test_a_digest_says_a_recommendations_own_line() -> None:
    line = reason_line(Reason("category", categories=("cs.CV",)))
    assert DigestReason("for_you", why=line).describe() == line
