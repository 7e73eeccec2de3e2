"""The trending score: time-decayed upvotes, as Hacker News ranks stories.

    score = upvotes / (age_hours + 2) ** gravity

A paper featured an hour ago with 20 votes outranks one featured three days ago with 50. The
`+ 2` keeps brand-new papers from dividing by ~0; `gravity` (a setting, 1.8 by default) says how
fast age wins over votes. The /about page shows this formula.
"""

from __future__ import annotations

FORMULA = "upvotes / (age_hours + 2) ^ gravity"


def trending_score(upvotes: int, age_hours: float, gravity: float = 1.8) -> float:
    if gravity <= 0:
        raise ValueError("gravity must be positive")
    age = max(age_hours, 0.0)
    return max(upvotes, 0) / (age + 2.0) ** gravity
